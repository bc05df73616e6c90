import fc from 'fast-check';
import { MEASURES, procedureOfMeasure, PROCEDURES, type Measure } from '#libs/kernel';
import { Authority, type Competence } from './authority.js';
import { findCompetentAuthorities, instrumentFor } from './finder.js';

const authority = (
  id: string,
  kind: Authority['kind'],
  procedures: Authority['procedures'],
  competence?: Competence,
) =>
  new Authority({
    id,
    state: id.slice(0, 2),
    name: id,
    kind,
    endpoint: 'https://gateway.example',
    procedures,
    keys: [],
    competence,
  });

const NG_CA = authority('NG-MOJ-CA', 'central-authority', ['mla', 'jit', 'assets'], {
  measures: ['taking-evidence', 'service-of-documents', 'asset-freezing'],
  languages: ['en'],
  urgentContact: { channel: 'phone', address: '+234 9 000 0000' },
  treaties: [
    { id: 'GB-NG-MLA-1989', title: 'UK–Nigeria MLA treaty', states: ['GB'], procedures: ['mla'] },
  ],
});
const NG_LAGOS = authority('NG-NAPTIP-LAG', 'prosecutor', ['mla'], {
  measures: ['taking-evidence'],
  regions: ['Lagos', 'Ogun'],
  offences: ['trafficking-in-persons'],
});
const NG_IMMIGRATION = authority('NG-NIS-HQ', 'immigration-repatriation', [
  'nationality-verification',
]);
const FR_CA = authority('FR-MOJ-BEPI', 'central-authority', ['mla', 'jit', 'assets']);
const DIRECTORY = [NG_CA, NG_LAGOS, NG_IMMIGRATION, FR_CA];

describe('finding the competent authority', () => {
  it('puts the specialised regional authority of the locality first, then the central authority', () => {
    const found = findCompetentAuthorities(DIRECTORY, {
      state: 'NG',
      measure: 'taking-evidence',
      offence: 'trafficking-in-persons',
      locality: 'lagos',
      requestingState: 'FR',
    });
    expect(found.map((m) => m.authority.id)).toEqual(['NG-NAPTIP-LAG', 'NG-MOJ-CA']);
    expect(found[0].reasons).toEqual([
      'executes taking-evidence',
      'competent for lagos',
      'specialised in trafficking-in-persons',
    ]);
    expect(found[1].instrument).toEqual({
      kind: 'untoc',
      id: 'UNTOC art. 18(7)',
      title: expect.any(String) as string,
    });
  });

  it('leaves out regional authorities of other places and specialists of other offences', () => {
    const elsewhere = findCompetentAuthorities(DIRECTORY, {
      state: 'NG',
      measure: 'taking-evidence',
      locality: 'Kano',
      requestingState: 'FR',
    });
    expect(elsewhere.map((m) => m.authority.id)).toEqual(['NG-MOJ-CA']);
    const otherOffence = findCompetentAuthorities(DIRECTORY, {
      state: 'NG',
      measure: 'taking-evidence',
      offence: 'smuggling-of-migrants',
      requestingState: 'FR',
    });
    expect(otherOffence.map((m) => m.authority.id)).toEqual(['NG-MOJ-CA']);
  });

  it('takes an authority that states no measures as executing every measure of its procedures', () => {
    const found = findCompetentAuthorities(DIRECTORY, {
      state: 'NG',
      measure: 'travel-documents',
      requestingState: 'IT',
    });
    expect(found.map((m) => m.authority.id)).toEqual(['NG-NIS-HQ']);
    expect(found[0].instrument.id).toBe('Trafficking Protocol art. 8(3)–(4)');
  });

  it('names a treaty on record first, the EU instrument between States bound by it, UNTOC otherwise', () => {
    expect(instrumentFor(NG_CA, 'GB', 'mla')).toMatchObject({
      kind: 'treaty',
      id: 'GB-NG-MLA-1989',
    });
    // The treaty covers MLA only: freezing rests on UNTOC 13.
    expect(instrumentFor(NG_CA, 'GB', 'assets').id).toBe('UNTOC art. 13');
    expect(instrumentFor(FR_CA, 'IT', 'mla').id).toBe('Directive 2014/41/EU');
    expect(instrumentFor(FR_CA, 'IT', 'assets').id).toBe('Regulation (EU) 2018/1805');
    expect(instrumentFor(FR_CA, 'IT', 'jit').id).toBe('Council Framework Decision 2002/465/JHA');
    // Denmark and Ireland are not bound by the EIO (Directive 2014/41/EU, recitals 44–45).
    expect(instrumentFor(FR_CA, 'IE', 'mla').id).toBe('UNTOC art. 18(7)');
    expect(instrumentFor(FR_CA, 'DK', 'mla').id).toBe('UNTOC art. 18(7)');
  });

  it('only ever answers authorities of the State asked, competent for the measure, wherever and for whatever', () => {
    const competence = fc.record(
      {
        measures: fc.subarray([...MEASURES]),
        regions: fc.subarray(['Lagos', 'Abuja', 'Kano']),
        offences: fc.subarray(['trafficking-in-persons', 'money-laundering']),
      },
      { requiredKeys: [] },
    );
    const authorities = fc
      .array(
        fc.record({
          state: fc.constantFrom('NG', 'FR', 'IT'),
          procedures: fc.subarray([...PROCEDURES], { minLength: 1 }),
          competence,
        }),
        { maxLength: 8 },
      )
      .map((specs) =>
        specs.map((spec, i) =>
          authority(`${spec.state}-A-${i}`, 'prosecutor', spec.procedures, spec.competence),
        ),
      );
    fc.assert(
      fc.property(
        authorities,
        fc.constantFrom('NG', 'FR', 'IT'),
        fc.constantFrom(...MEASURES),
        fc.option(fc.constantFrom('lagos', 'ABUJA', 'Kano ', 'Paris'), { nil: undefined }),
        fc.option(fc.constantFrom('trafficking-in-persons', 'fraud'), { nil: undefined }),
        (all, state, measure: Measure, locality, offence) => {
          const found = findCompetentAuthorities(all, {
            state,
            measure,
            locality,
            offence,
            requestingState: 'FR',
          });
          for (const { authority: a } of found) {
            expect(a.state).toBe(state);
            expect(a.procedures).toContain(procedureOfMeasure(measure));
            if (a.competence.measures) expect(a.competence.measures).toContain(measure);
            if (a.competence.offences && offence) expect(a.competence.offences).toContain(offence);
          }
          // Nothing competent is left out.
          const expected = all.filter(
            (a) =>
              a.state === state &&
              a.procedures.includes(procedureOfMeasure(measure)) &&
              (!a.competence.measures || a.competence.measures.includes(measure)) &&
              (!a.competence.offences || !offence || a.competence.offences.includes(offence)) &&
              (!a.competence.regions ||
                locality === undefined ||
                a.competence.regions.some(
                  (r) => r.toLowerCase() === locality.trim().toLowerCase(),
                )),
          );
          expect(found.map((m) => m.authority.id).sort()).toEqual(expected.map((a) => a.id).sort());
        },
      ),
    );
  });
});
