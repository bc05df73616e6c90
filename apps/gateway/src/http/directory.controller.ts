import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthorityDirectory } from '#libs/directory';

@ApiTags('directory')
@Controller('api/v1/directory')
export class DirectoryController {
  constructor(private readonly directory: AuthorityDirectory) {}

  @Get()
  @ApiOperation({
    summary: 'Authorities this node knows, with their procedures and key fingerprints',
  })
  list() {
    return {
      digest: this.directory.digest,
      authorities: this.directory
        .all()
        .map(({ id, state, name, kind, endpoint, fingerprint, procedures }) => ({
          id,
          state,
          name,
          kind,
          endpoint,
          fingerprint,
          procedures,
        })),
    };
  }
}
