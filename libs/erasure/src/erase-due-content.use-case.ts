import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditTrail } from '#libs/audit';
import { FILES_CONFIG, type FilesConfig } from '#libs/files';
import { inboundChunksDir, inboundFileOf, outboundChunksDir } from '#libs/messaging';
import { Clock } from '#libs/node-config';
import type { DueFile, DueRequest, LoadedRetention } from '#libs/retention';
import { ErasureRepository, type FileLocation, type Trx } from './erasure.repository.js';
import { RETENTION } from './retention-profiles.js';

export interface ErasureSettings {
  /** Requests (or files) per transaction. */
  batchSize: number;
  /** Batches per run at most: a backlog is worked off over several runs, never in one long one. */
  maxBatches: number;
  /** Decided supervised submissions keep their draft and warning texts this long (ms). */
  supervisedAfterMs: number;
}

export interface ErasureOutcome {
  requests: number;
  messages: number;
  files: number;
  /** Decided supervised submissions whose texts were erased. */
  supervised: number;
}

/**
 * Why a decided supervised submission's texts go: no procedure's profile covers a draft that was
 * kept for a supervisor, the node's period does (GATEWAY_RETENTION_SUPERVISED_AFTER_MS).
 */
export const SUPERVISED_LEGAL_BASIS =
  "storage limitation (GDPR art. 5(1)(e), Directive (EU) 2016/680 art. 4(1)(e)): a decided submission's draft and warning texts are kept for the node's period after the decision (GATEWAY_RETENTION_SUPERVISED_AFTER_MS)";

export const ERASURE_SETTINGS = Symbol('ERASURE_SETTINGS');

/**
 * Erases what the retention profiles say is due: the content of settled requests (message bodies
 * and envelopes, the request's state) and evidence files. Each batch is one transaction with its
 * `retention.erased` audit entries, so a crash leaves a batch done or not at all, and a second
 * run finds nothing more to do (erased rows are no longer candidates). The audit entries name
 * what was erased (kind, ids, digests kept, profile, legal basis), never the content itself.
 */
@Injectable()
export class EraseDueContent {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly repository: ErasureRepository,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(RETENTION) private readonly retention: LoadedRetention,
    @Inject(ERASURE_SETTINGS) private readonly settings: ErasureSettings,
    @Inject(FILES_CONFIG) private readonly files: FilesConfig,
  ) {}

  async run(): Promise<ErasureOutcome> {
    const outcome: ErasureOutcome = { requests: 0, messages: 0, files: 0, supervised: 0 };
    for (let batch = 0; batch < this.settings.maxBatches; batch++) {
      const done = await this.repository.transaction((trx) => this.requestBatch(trx));
      outcome.requests += done.requests;
      outcome.messages += done.messages;
      if (done.requests < this.settings.batchSize) break;
    }
    for (let batch = 0; batch < this.settings.maxBatches; batch++) {
      const done = await this.repository.transaction((trx) => this.fileBatch(trx));
      outcome.files += done;
      if (done < this.settings.batchSize) break;
    }
    for (let batch = 0; batch < this.settings.maxBatches; batch++) {
      const done = await this.repository.transaction((trx) => this.supervisedBatch(trx));
      outcome.supervised += done;
      if (done < this.settings.batchSize) break;
    }
    if (outcome.requests + outcome.files + outcome.supervised > 0) {
      this.logger.log({ ...outcome }, 'content erased under retention profiles');
    }
    return outcome;
  }

  private async requestBatch(trx: Trx): Promise<{ requests: number; messages: number }> {
    const now = this.clock.now();
    const { policy } = this.retention;
    const candidates = await this.repository.lockRequestCandidates(
      trx,
      policy.profiles,
      now,
      this.settings.batchSize,
    );
    // The query narrows; the pure policy decides (its properties are tested on their own).
    const due = policy.selectRequests(candidates, now, this.settings.batchSize);
    let messages = 0;
    for (const item of due) messages += await this.eraseRequest(trx, item, now);
    return { requests: due.length, messages };
  }

  private async eraseRequest(trx: Trx, due: DueRequest, now: Date): Promise<number> {
    const { request, profile } = due;
    const note = `content erased under retention profile ${profile.id} on ${now.toISOString().slice(0, 10)}`;
    const erased = await this.repository.eraseMessagesOf(
      trx,
      request.requestId,
      profile,
      now,
      note,
    );
    await this.repository.eraseRequestState(trx, request, now);
    // What the audit trail kept in free text of these messages goes too; the chain keeps digests.
    const annexes = await this.audit.eraseAnnexesOf(
      erased.map((message) => message.id),
      trx,
    );
    const common = {
      requestId: request.requestId,
      profile: profile.id,
      legalBasis: profile.legalBasis,
      settledStatus: request.status,
      settledAt: request.statusSince.toISOString(),
    };
    for (const message of erased) {
      await this.audit.record(
        {
          event: 'retention.erased',
          actor: 'system',
          messageId: message.id,
          details: {
            kind: 'message-content',
            ...common,
            // Kept: the receipt signs it, and it is all the evidence bundle still needs.
            envelopeSha256: message.envelopeSha256,
          },
        },
        trx,
      );
    }
    await this.audit.record(
      {
        event: 'retention.erased',
        actor: 'system',
        details: {
          kind: 'request-state',
          ...common,
          messageIds: erased.map((m) => m.id),
          auditAnnexesErased: annexes,
        },
      },
      trx,
    );
    return erased.length;
  }

  /**
   * Decided supervised submissions past the node's period: their sealed draft, warning texts and
   * decline reason (and its audit annex) go, each audited by id, rules and legal basis.
   */
  private async supervisedBatch(trx: Trx): Promise<number> {
    const now = this.clock.now();
    const before = new Date(now.getTime() - this.settings.supervisedAfterMs);
    const due = await this.repository.lockSupervisedCandidates(
      trx,
      before,
      this.settings.batchSize,
    );
    for (const item of due) {
      await this.repository.eraseSupervised(trx, item.id, now);
      const annexes = await this.audit.eraseAnnexesOfSupervised([item.id], trx);
      await this.audit.record(
        {
          event: 'retention.erased',
          actor: 'system',
          details: {
            kind: 'supervised-submission',
            supervisedSubmissionId: item.id,
            authority: item.authority,
            status: item.status,
            decidedAt: item.decidedAt.toISOString(),
            rules: item.rules,
            legalBasis: SUPERVISED_LEGAL_BASIS,
            auditAnnexesErased: annexes,
          },
        },
        trx,
      );
    }
    return due.length;
  }

  private async fileBatch(trx: Trx): Promise<number> {
    const now = this.clock.now();
    const { policy } = this.retention;
    const candidates = await this.repository.lockFileCandidates(
      trx,
      policy.profiles,
      now,
      this.settings.batchSize,
    );
    const due = policy.selectFiles(candidates, now, this.settings.batchSize);
    for (const item of due) await this.eraseFile(trx, item, now);
    return due.length;
  }

  /**
   * Deleted on disk inside the batch's transaction, before it commits: a crash in between leaves
   * the row unmarked and the next run deletes again (rm of what is gone is no error) and marks it.
   */
  private async eraseFile(trx: Trx, due: DueFile, now: Date): Promise<void> {
    const file = due.file as DueFile['file'] & FileLocation;
    const { dir } = this.files;
    if (file.direction === 'inbound') {
      await rm(inboundChunksDir(dir, file.messageId, file.position), {
        recursive: true,
        force: true,
      });
      await rm(inboundFileOf(dir, file.messageId, file.position).path, { force: true });
    } else {
      await rm(outboundChunksDir(dir, file.messageId, file.position), {
        recursive: true,
        force: true,
      });
    }
    await this.repository.markFilesErased(trx, file, now);
    // The sender's own upload goes with the last copy that refers to it.
    if (file.uploadId && (await this.repository.releaseUploadIfUnused(trx, file.uploadId, now))) {
      await rm(join(dir, `${file.uploadId}.tipf`), { force: true });
    }
    await this.audit.record(
      {
        event: 'retention.erased',
        actor: 'system',
        messageId: file.messageId,
        details: {
          kind: 'files',
          attachment: file.position,
          direction: file.direction,
          reason: due.reason,
          // Kept: the manifest (in message_attachments) and the receipt name it.
          sha256: file.sha256,
          profile: due.profile.id,
          legalBasis: due.profile.legalBasis,
        },
      },
      trx,
    );
  }
}
