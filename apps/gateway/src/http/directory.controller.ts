import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthorityDirectory, findCompetentAuthorities, type Authority } from '#libs/directory';
import { Clock, NodeIdentity } from '#libs/node-config';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { FinderQueryDto } from './directory-finder.dto.js';
import { ApiErrors, INVALID_INPUT } from './api-docs.js';
import { CompetentAuthorityDto, DirectoryDto } from './responses/operations.dto.js';

@ApiTags('directory')
@Controller('api/v1/directory')
export class DirectoryController {
  constructor(
    private readonly directory: AuthorityDirectory,
    private readonly clock: Clock,
    private readonly identity: NodeIdentity,
  ) {}

  @Get()
  @Requires('directory.read')
  @ApiOperation({
    summary:
      "Authorities this node knows, with their procedures and keys (validity, revocation, whether it is this node's own)",
  })
  @ApiOkResponse({ type: DirectoryDto })
  list() {
    // The node's own keys are those whose private half it holds (a hub's authorities share them).
    const held = new Set(this.identity.keys.fingerprints);
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
        competence: authority.competence,
        currentKey: authority.currentKey(this.clock.now())?.fingerprint ?? null,
        keys: authority.keys.map((key) => ({
          fingerprint: key.fingerprint,
          validFrom: key.validFrom.toISOString(),
          validUntil: key.validUntil?.toISOString() ?? null,
          expiresAt: key.expiresAt?.toISOString() ?? null,
          revokedAt: key.revokedAt?.toISOString() ?? null,
          revocationReason: key.revocationReason ?? null,
          heldHere: held.has(key.fingerprint),
        })),
      })),
    };
  }

  /**
   * Finding the competent authority (as the EJN Atlas does): the authorities of a State that
   * execute a measure, for an offence and a locality, best first, each with the instrument a
   * request from the caller's State would rest on and how to reach it urgently.
   */
  @Get('finder')
  @Requires('directory.read')
  @ApiOperation({
    summary:
      'Authorities of a State competent for a measure (offence, locality), best first, with the instrument that applies',
  })
  @ApiOkResponse({ type: [CompetentAuthorityDto] })
  @ApiErrors({ 400: INVALID_INPUT })
  find(@Query() query: FinderQueryDto, @Officer() officer: OfficerContext) {
    const requestingState = this.directory.find(officer.principal.authorityId)?.state ?? '';
    return findCompetentAuthorities(this.directory.all(), { ...query, requestingState }).map(
      ({ authority, instrument, reasons }) => ({
        ...summary(authority),
        instrument,
        reasons,
      }),
    );
  }
}

function summary(authority: Authority) {
  const { measures, regions, offences, languages, urgentContact } = authority.competence;
  return {
    id: authority.id,
    state: authority.state,
    name: authority.name,
    kind: authority.kind,
    measures: measures ?? null,
    regions: regions ?? null,
    offences: offences ?? null,
    languages: languages ?? null,
    urgentContact: urgentContact ?? null,
  };
}
