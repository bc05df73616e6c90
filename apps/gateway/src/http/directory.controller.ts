import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthorityDirectory } from '#libs/directory';
import { Clock } from '#libs/node-config';
import { Requires } from './access/decorators.js';

@ApiTags('directory')
@Controller('api/v1/directory')
export class DirectoryController {
  constructor(
    private readonly directory: AuthorityDirectory,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Requires('directory.read')
  @ApiOperation({
    summary: 'Authorities this node knows, with their procedures and keys (validity, revocation)',
  })
  list() {
    return {
      digest: this.directory.digest,
      issuedAt: this.directory.version?.issuedAt.toISOString() ?? null,
      authorities: this.directory.all().map((authority) => ({
        id: authority.id,
        state: authority.state,
        name: authority.name,
        kind: authority.kind,
        endpoint: authority.endpoint,
        procedures: authority.procedures,
        currentKey: authority.currentKey(this.clock.now())?.fingerprint ?? null,
        keys: authority.keys.map((key) => ({
          fingerprint: key.fingerprint,
          validFrom: key.validFrom.toISOString(),
          validUntil: key.validUntil?.toISOString() ?? null,
          expiresAt: key.expiresAt?.toISOString() ?? null,
          revokedAt: key.revokedAt?.toISOString() ?? null,
          revocationReason: key.revocationReason ?? null,
        })),
      })),
    };
  }
}
