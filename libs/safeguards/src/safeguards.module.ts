import { resolve } from 'node:path';
import { Module } from '@nestjs/common';
import { loadPolicySettings } from '#libs/policy';
import { CaseFactsRepository } from './case-facts.repository.js';
import { CaseFactsService } from './case-facts.service.js';
import { POLICY_SETTINGS, PolicyDecisionPoint } from './policy-decision-point.js';
import { ProtectedPersonsRegister } from './protected-persons.register.js';
import { readRegisterSecret, REGISTER_SECRET } from './register-secret.js';

/** The safeguards as the node runs them: settings, case facts, the register and the decision point. */
@Module({
  providers: [
    { provide: REGISTER_SECRET, useFactory: () => readRegisterSecret() },
    // A setting that would weaken a hard block makes start-up fail here (POLICY_SETTINGS_INVALID).
    {
      provide: POLICY_SETTINGS,
      useFactory: () =>
        loadPolicySettings(resolve(process.env.GATEWAY_POLICY_DIR ?? 'config/policy')),
    },
    CaseFactsRepository,
    CaseFactsService,
    ProtectedPersonsRegister,
    PolicyDecisionPoint,
  ],
  exports: [CaseFactsRepository, CaseFactsService, ProtectedPersonsRegister, PolicyDecisionPoint],
})
export class SafeguardsModule {}
