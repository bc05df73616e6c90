import { resolve } from 'node:path';
import { Module } from '@nestjs/common';
import { readSetting } from '#libs/node-config';
import { loadPolicySettings } from '#libs/policy';
import { CaseFactsRepository } from './case-facts.repository.js';
import { CaseFactsService } from './case-facts.service.js';
import { POLICY_SETTINGS, PolicyDecisionPoint } from './policy-decision-point.js';
import { ProtectedPersonsRegister } from './protected-persons.register.js';
import { readRegisterSecret, REGISTER_SECRET } from './register-secret.js';
import { AnswerRegisterCheck } from './register/answer-register-check.use-case.js';
import { LocalRegister } from './register/local-register.js';
import { NationalRegister } from './register/national-register.js';
import { RegisterIndex } from './register/register-index.js';
import { RegisterRepository } from './register/register.repository.js';
import { RemoteRegisterClient } from './register/remote-register.client.js';

/**
 * The safeguards as the node runs them: settings, case facts, the national register (this node's
 * own, kept current in every process, and the State's asylum authorities' on other nodes) and the
 * decision point.
 */
@Module({
  providers: [
    { provide: REGISTER_SECRET, useFactory: () => readRegisterSecret() },
    // A setting that would weaken a hard block makes start-up fail here (POLICY_SETTINGS_INVALID).
    {
      provide: POLICY_SETTINGS,
      useFactory: () => loadPolicySettings(resolve(readSetting('GATEWAY_POLICY_DIR')!)),
    },
    CaseFactsRepository,
    CaseFactsService,
    RegisterRepository,
    RegisterIndex,
    LocalRegister,
    RemoteRegisterClient,
    NationalRegister,
    AnswerRegisterCheck,
    ProtectedPersonsRegister,
    PolicyDecisionPoint,
  ],
  exports: [
    CaseFactsRepository,
    CaseFactsService,
    ProtectedPersonsRegister,
    AnswerRegisterCheck,
    NationalRegister,
    PolicyDecisionPoint,
  ],
})
export class SafeguardsModule {}
