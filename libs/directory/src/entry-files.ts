import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { RevocationReason } from './authority.js';
import { authorityFiles, loadDirectory } from './load-directory.js';

interface KeyFileEntry {
  fingerprint: string;
  publicKeyFile: string;
  validFrom: string;
  validUntil?: string;
  revokedAt?: string;
  revocationReason?: RevocationReason;
}

interface EditableEntry {
  file: string;
  entry: { id: string; keys: KeyFileEntry[] } & Record<string, unknown>;
}

/**
 * Edits authority files of a directory folder. The folder is validated before and after: an edit
 * never leaves an invalid directory behind (the files are restored when it would).
 */
export class DirectoryFolder {
  constructor(readonly folder: string) {}

  /** Adds a public key, written as `keys/<fingerprint>.asc`, to each named authority. */
  async addKey(
    authorityIds: readonly string[],
    key: { fingerprint: string; publicKeyArmored: string; validFrom: Date; validUntil?: Date },
  ): Promise<void> {
    const keyFile = join(this.folder, 'keys', `${key.fingerprint}.asc`);
    await this.edit(
      authorityIds,
      (entry, file) => {
        if (entry.keys.some((known) => known.fingerprint === key.fingerprint)) {
          throw new GatewayError(
            ErrorCode.VALIDATION_FAILED,
            `${entry.id} already lists key ${key.fingerprint}`,
          );
        }
        entry.keys.push({
          fingerprint: key.fingerprint,
          publicKeyFile: relative(dirname(file), keyFile),
          validFrom: key.validFrom.toISOString(),
          ...(key.validUntil && { validUntil: key.validUntil.toISOString() }),
        });
      },
      [[keyFile, key.publicKeyArmored]],
    );
  }

  /** Ends a key's validity at `until` (or keeps an earlier end) in every entry that lists it. */
  async endKey(fingerprint: string, until: Date): Promise<string[]> {
    return this.editListing(fingerprint, (key) => {
      if (!key.validUntil || new Date(key.validUntil) > until) {
        key.validUntil = until.toISOString();
      }
    });
  }

  /** Marks a key revoked in every entry that lists it. */
  async revokeKey(fingerprint: string, at: Date, reason: RevocationReason): Promise<string[]> {
    return this.editListing(fingerprint, (key) => {
      key.revokedAt = at.toISOString();
      key.revocationReason = reason;
    });
  }

  private async editListing(
    fingerprint: string,
    change: (key: KeyFileEntry) => void,
  ): Promise<string[]> {
    const ids = this.entries()
      .filter(({ entry }) => entry.keys.some((key) => key.fingerprint === fingerprint))
      .map(({ entry }) => entry.id);
    if (ids.length === 0) {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        `no authority in ${this.folder} lists key ${fingerprint}`,
      );
    }
    await this.edit(ids, (entry) =>
      entry.keys.filter((key) => key.fingerprint === fingerprint).forEach(change),
    );
    return ids;
  }

  private entries(): EditableEntry[] {
    return authorityFiles(this.folder).map(({ path, document, problem }) => {
      if (problem !== undefined) {
        throw new GatewayError(ErrorCode.CONFIGURATION_INVALID, `${path} ${problem}`, [
          { file: path, message: problem },
        ]);
      }
      return { file: path, entry: document as EditableEntry['entry'] };
    });
  }

  private async edit(
    authorityIds: readonly string[],
    change: (entry: EditableEntry['entry'], file: string) => void,
    extraFiles: Array<[path: string, content: string]> = [],
  ): Promise<void> {
    await loadDirectory(this.folder);
    const entries = this.entries();
    const missing = authorityIds.filter((id) => !entries.some(({ entry }) => entry.id === id));
    if (missing.length > 0) {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        `not in the directory ${this.folder}: ${missing.join(', ')}`,
      );
    }
    const edited = entries.filter(({ entry }) => authorityIds.includes(entry.id));
    const before = edited.map(({ file }) => [file, readFileSync(file, 'utf8')] as const);
    for (const { entry, file } of edited) change(entry, file);
    for (const [path, content] of extraFiles) writeFileSync(path, content);
    for (const { entry, file } of edited) {
      writeFileSync(file, `${JSON.stringify(entry, null, 2)}\n`);
    }
    try {
      await loadDirectory(this.folder);
    } catch (error) {
      for (const [file, content] of before) writeFileSync(file, content);
      throw error;
    }
  }
}
