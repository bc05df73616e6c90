import { ErrorCode, GatewayError } from '#libs/errors';
import {
  FOLDING_DOCUMENT,
  parseTermLists,
  SCAN_LANGUAGES,
  TERM_LIST_DOCUMENTS,
  TERM_TOPICS,
  type TermListDocument,
} from './protection-terms.js';
import { createTextScanner, DEFAULT_SCANNER, PROTECTION_TERMS, scanText } from './scanner.js';

type Json = Record<string, unknown>;

/** The shipped lists, one of them changed by `change` (on a deep copy). */
function listsWith(file: string, change: (document: Json) => void): TermListDocument[] {
  return TERM_LIST_DOCUMENTS.map((list) => {
    if (list.file !== file) return list;
    const document = structuredClone(list.document) as Json;
    change(document);
    return { file, document };
  });
}

function termsOf(document: Json): Json[] {
  return document.terms as Json[];
}

function rejection(lists: TermListDocument[], folding = FOLDING_DOCUMENT): GatewayError {
  try {
    createTextScanner(parseTermLists(lists, folding));
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('the lists were accepted');
}

describe('the term lists (protection-terms/*.json)', () => {
  it('cover every UN official language, each with terms of every topic', () => {
    for (const language of SCAN_LANGUAGES) {
      const topics = new Set(
        PROTECTION_TERMS.filter((t) => t.language === language).map((t) => t.topic),
      );
      expect({ language, topics: [...topics].sort() }).toEqual({
        language,
        topics: [...TERM_TOPICS].sort(),
      });
    }
  });

  it('give every term a meaning, at least one source with a title, and examples', () => {
    for (const term of PROTECTION_TERMS) {
      expect(term.meaning.length).toBeGreaterThan(5);
      expect(term.sources.length).toBeGreaterThan(0);
      for (const source of term.sources) expect(source.title.length).toBeGreaterThan(10);
      expect(term.examples.length).toBeGreaterThan(0);
    }
  });

  it.each(PROTECTION_TERMS.flatMap((t) => t.examples.map((e) => [t.language, t.term, e])))(
    '%s "%s" finds its example %j',
    (language, term, example) => {
      const found = scanText(example);
      const own = found.some((f) => f.language === language && f.term === term);
      // A spelling shared with an earlier language of the list is reported under that language.
      const shared = found.some(
        (f) => SCAN_LANGUAGES.indexOf(f.language) < SCAN_LANGUAGES.indexOf(language as never),
      );
      expect(own || shared).toBe(true);
    },
  );

  it.each(
    PROTECTION_TERMS.flatMap((t) =>
      t.exceptions.flatMap((x) => x.examples.map((e) => [t.language, t.term, x.meaning, e])),
    ),
  )('%s "%s" does not count (%s) in %j', (language, term, _meaning, example) => {
    expect(scanText(example).filter((f) => f.language === language && f.term === term)).toEqual([]);
  });

  it.each(
    DEFAULT_SCANNER.lists.notTerms.flatMap((n) => n.examples.map((e) => [n.language, n.text, e])),
  )('%s: "%s" is deliberately not an asylum term: %j', (_language, _text, example) => {
    expect(scanText(example).filter((f) => f.topic === 'asylum')).toEqual([]);
  });

  it('document why each deliberate exclusion is left out', () => {
    for (const notTerm of DEFAULT_SCANNER.lists.notTerms)
      expect(notTerm.why.length).toBeGreaterThan(10);
    expect(DEFAULT_SCANNER.lists.notTerms.map((n) => n.language)).toEqual(
      expect.arrayContaining([...SCAN_LANGUAGES]),
    );
  });

  it('find the Chinese terms written in traditional characters', () => {
    const toTraditional = new Map(
      [...DEFAULT_SCANNER.lists.folding.traditionalToSimplified].map(([t, s]) => [s, t]),
    );
    const chinese = PROTECTION_TERMS.filter((t) => t.language === 'zh' && t.topic === 'asylum');
    for (const term of chinese) {
      for (const example of term.examples) {
        const traditional = [...example].map((c) => toTraditional.get(c) ?? c).join('');
        expect({
          traditional,
          found: scanText(traditional).some((f) => f.term === term.term),
        }).toEqual({
          traditional,
          found: true,
        });
      }
    }
  });
});

describe('a bad term list stops the start-up', () => {
  const cases: [string, string, (document: Json) => void, string][] = [
    ['an unknown field', 'en.json', (d) => (termsOf(d)[0].exemples = ['x']), 'terms[0].exemples'],
    [
      'a pattern that is not a regular expression',
      'ru.json',
      (d) => (termsOf(d)[0].pattern = 'убежищ(('),
      'terms[0].pattern',
    ],
    [
      'a pattern matching the empty text',
      'fr.json',
      (d) => (termsOf(d)[2].pattern = 'x*'),
      'terms[2].pattern',
    ],
    [
      'a source that does not exist',
      'es.json',
      (d) => (termsOf(d)[0].sources = ['nowhere']),
      'terms[0].sources',
    ],
    ['a term with no source', 'ar.json', (d) => (termsOf(d)[0].sources = []), 'terms[0].sources'],
    [
      'forms and a pattern at once',
      'en.json',
      (d) => (termsOf(d)[0].pattern = 'asylum'),
      'terms[0]',
    ],
    ['an unknown topic', 'zh.json', (d) => (termsOf(d)[0].topic = 'immigration'), 'terms[0].topic'],
    [
      'an unknown macro',
      'en.json',
      (d) => (termsOf(d)[2].pattern = 'persecut{{endings}}'),
      'terms[2].pattern',
    ],
    ['a list in the wrong file', 'fr.json', (d) => (d.language = 'es'), 'language'],
    [
      'a term listed twice',
      'en.json',
      (d) => termsOf(d).push(structuredClone(termsOf(d)[1])),
      'terms[19].term',
    ],
    [
      'a source without a title',
      'ru.json',
      (d) => ((d.sources as Json)['udhr-14'] = { url: 'https://un.org' }),
      'sources.udhr-14',
    ],
    [
      'a traditional character in a Chinese pattern',
      'zh.json',
      (d) => (termsOf(d)[2].pattern = '難民'),
      'terms "难民"',
    ],
    [
      'an example the term does not find',
      'es.json',
      (d) => (termsOf(d)[0].examples = ['Vive en Madrid.']),
      'terms "asilo"',
    ],
    [
      'an exception that does not except its example',
      'es.json',
      (d) => ((termsOf(d)[0].exceptions as Json[])[0].examples = ['Solicitó asilo político.']),
      'terms "asilo" exception',
    ],
    [
      'a not-term example that is found',
      'en.json',
      (d) => ((d.notTerms as Json[])[0].examples = ['She applied for asylum.']),
      'notTerms "protection"',
    ],
  ];

  it.each(cases)('%s', (_name, file, change, field) => {
    const error = rejection(listsWith(file, change));
    expect(error.code).toBe(ErrorCode.CONFIGURATION_INVALID);
    expect(error.details).toContainEqual(expect.objectContaining({ file, field }));
    expect(error.message).toMatch(/^protection term lists rejected: /);
  });

  it('rejects a missing language', () => {
    const error = rejection(TERM_LIST_DOCUMENTS.filter((list) => list.file !== 'ar.json'));
    expect(error.details).toContainEqual(
      expect.objectContaining({ file: 'ar.json', field: 'language' }),
    );
  });

  it('rejects a folding table that maps a look-alike to a non-Latin letter', () => {
    const folding = structuredClone(FOLDING_DOCUMENT.document) as Json;
    (folding.toLatin as Json)['а'] = 'б';
    const error = rejection([...TERM_LIST_DOCUMENTS], { file: 'folding.json', document: folding });
    expect(error.details).toContainEqual(
      expect.objectContaining({ file: 'folding.json', field: 'toLatin.а' }),
    );
  });

  it('accepts the shipped lists', () => {
    expect(() =>
      createTextScanner(parseTermLists(TERM_LIST_DOCUMENTS, FOLDING_DOCUMENT)),
    ).not.toThrow();
  });
});
