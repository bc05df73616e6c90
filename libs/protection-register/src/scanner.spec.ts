import { SCAN_LANGUAGES, type ScanLanguage } from './protection-terms.js';
import { PROTECTION_TERMS, scanBody, scanText } from './scanner.js';

const terms = (text: string) => scanText(text).map(({ language, term }) => `${language}:${term}`);

const POSITIVES: Record<ScanLanguage, [string, string][]> = {
  en: [
    ['She applied for asylum in 2024.', 'asylum'],
    ['The ASYLUM-SEEKER was interviewed twice.', 'asylum'],
    ['a pending asylum claim', 'asylum'],
    ['Both are recognised Refugees.', 'refugee'],
    ["the refugee's family", 'refugee'],
    ['She was persecuted for her religion.', 'persecution'],
    ['fear of persecution by the militia', 'persecution'],
    ['granted International  Protection', 'international protection'],
    ['beneficiary of subsidiary protection', 'subsidiary protection'],
    ['holds complementary protection', 'complementary protection'],
    ['granted humanitarian protection', 'humanitarian protection'],
    ['under the Temporary Protection Directive', 'temporary protection'],
    ['has temporary protected status', 'temporary protection'],
    ['his protection claim is pending', 'protection status'],
    ['She holds a protection visa.', 'protection status'],
    ['the principle of non-refoulement', 'non-refoulement'],
    ['a well-founded fear of being harmed', 'well-founded fear'],
    ['registered with UNHCR', 'UNHCR'],
  ],
  fr: [
    ["Elle a déposé une demande d'asile.", 'asile'],
    ['demandeuse d’ASILE', 'asile'],
    ['Il est réfugié statutaire.', 'réfugié'],
    ['des réfugiées syriennes', 'réfugié'],
    ['REFUGIEE (sans accents)', 'réfugié'],
    ['persécutée en raison de ses opinions', 'persécution'],
    ['bénéficiaire de la protection internationale', 'protection internationale'],
    ['a obtenu la protection subsidiaire', 'protection subsidiaire'],
    ['sous protection temporaire', 'protection temporaire'],
    ['des craintes fondées', 'crainte fondée'],
    ["convoquée à l'OFPRA", 'OFPRA'],
    ['recours devant la CNDA', 'CNDA'],
  ],
  es: [
    ['Solicitó asilo político.', 'asilo'],
    ['solicitante de ASILO', 'asilo'],
    ['es una asilada', 'asilo'],
    ['las refugiadas', 'refugiado'],
    ['sufrió persecución', 'persecución'],
    ['Persecuciones reiteradas', 'persecución'],
    ['solicitud de protección internacional', 'protección internacional'],
    ['concedida la proteccion subsidiaria', 'protección subsidiaria'],
    ['protección temporal', 'protección temporal'],
    ['protección complementaria', 'protección complementaria'],
    ['el principio de no devolución', 'no devolución'],
    ['tiene temores fundados', 'temor fundado'],
    ['registrada por ACNUR', 'ACNUR'],
  ],
  ru: [
    ['Она попросила политическое убежище.', 'убежище'],
    ['ходатайство о предоставлении убежища', 'убежище'],
    ['лица, ищущие убежища', 'убежище'],
    ['получил временное убежище', 'убежище'],
    ['Он беженец.', 'беженец'],
    ['статус беженца', 'беженец'],
    ['помощь беженцам', 'беженец'],
    ['БЕЖЕНКА из Сирии', 'беженец'],
    ['опасается преследования по политическим мотивам', 'преследование'],
    ['подвергалась преследованиям', 'преследование'],
    ['предоставлена международная защита', 'международная защита'],
    ['нуждается в международной защите', 'международная защита'],
    ['принцип невыдворения', 'невыдворение'],
    ['зарегистрирована в УВКБ ООН', 'УВКБ'],
  ],
  ar: [
    ['قدمت طلب لجوء', 'لجوء'],
    ['طالبة اللجوء', 'لجوء'],
    ['حق اللُّجوء السياسي', 'لجوء'],
    ['حصل على لجوئه', 'لجوء'],
    ['هو لاجئ', 'لاجئ'],
    ['مخيم للاجئين', 'لاجئ'],
    ['واللاجئات', 'لاجئ'],
    ['المفوضية السامية لشؤون اللاجئين', 'لاجئ'],
    ['تعرضت للاضطهاد', 'اضطهاد'],
    ['أقلية مضطهدة', 'اضطهاد'],
    ['منحت الحماية الدولية', 'الحماية الدولية'],
    ['بالحماية الفرعية', 'الحماية الفرعية'],
    ['الحماية التكميلية', 'الحماية الفرعية'],
    ['الحماية المؤقتة', 'الحماية المؤقتة'],
    ['مبدأ عدم الإعادة القسرية', 'عدم الإعادة القسرية'],
    ['مبدأ عدم الرد', 'عدم الإعادة القسرية'],
  ],
  zh: [
    ['她申请庇护。', '庇护'],
    ['寻求政治庇护', '庇护'],
    ['庇护申请仍在审理', '庇护'],
    ['申請庇護', '庇护'],
    ['他要求政治避难', '避难'],
    ['难民身份', '难民'],
    ['難民地位', '难民'],
    ['遭受迫害', '迫害'],
    ['获得国际保护', '国际保护'],
    ['國際保護', '国际保护'],
    ['补充保护', '补充保护'],
    ['临时保护', '临时保护'],
    ['不驱回原则', '不驱回'],
  ],
};

const NEGATIVES: Record<ScanLanguage, string[]> = {
  en: [
    'The victim was placed in a shelter under a protection order.',
    'Child protection services and witness protection were informed.',
    'Data protection rules apply to this request.',
    'She has protection needs and is in a safe house.',
    'A temporary protection order was issued by the court.',
    'The prosecution of the suspect is ongoing.',
    'He was pursued by the police.',
    'Refuge and refuel.',
  ],
  fr: [
    'La victime est hébergée dans un foyer.',
    "L'ordonnance de protection a été délivrée.",
    'Elle s’est abritée chez sa tante.',
    'Les poursuites pénales sont en cours.',
    'La protection de l’enfance est saisie.',
  ],
  es: [
    'Vive en un asilo de ancianos.',
    'La víctima está en un refugio.',
    'Orden de protección concedida.',
    'Protección de testigos.',
    'Fue perseguido por la policía.',
  ],
  ru: [
    'Убежище для жертв торговли людьми.',
    'Ей предоставлен приют.',
    'Возбуждено уголовное преследование.',
    'прекращение уголовного преследования',
    'судебное преследование обвиняемого',
    'Защита свидетелей обеспечена.',
    'бомбоубежище',
  ],
  ar: [
    'اللجوء إلى القضاء',
    'تم اللجوء إلى العنف',
    'برنامج علاجي للضحية',
    'ملجأ للضحايا',
    'حماية الشهود',
    'عدم الرد على الرسالة',
  ],
  zh: ['受害者被安置在庇护所。', '避难所', '法院发出临时保护令。', '儿童保护', '证人保护'],
};

describe('scanText', () => {
  it('has terms in every UN official language', () => {
    const covered = new Set(PROTECTION_TERMS.map((term) => term.language));
    expect([...covered].sort()).toEqual([...SCAN_LANGUAGES].sort());
  });

  for (const language of SCAN_LANGUAGES) {
    describe(language, () => {
      it.each(POSITIVES[language])('finds %j (%s)', (text, term) => {
        expect(terms(text)).toContain(`${language}:${term}`);
      });

      it.each(NEGATIVES[language].map((text) => [text]))('finds no asylum term in %j', (text) => {
        expect(scanText(text).filter((finding) => finding.topic === 'asylum')).toEqual([]);
      });
    });
  }

  it('gives the position and the text matched as written', () => {
    const text = 'Ms Ézé — RÉFUGIÉE; demande d’asile déposée.';
    expect(scanText(text)).toEqual([
      {
        language: 'fr',
        topic: 'asylum',
        term: 'réfugié',
        meaning: 'refugee (m./f., sing./pl.); statut de réfugié: refugee status',
        index: 9,
        match: 'RÉFUGIÉE',
      },
      expect.objectContaining({ language: 'fr', term: 'asile', index: 29, match: 'asile' }),
    ]);
  });

  it('maps positions through decomposed characters and ligatures', () => {
    const text = 'ﬁle: re\u0301fugie\u0301e';
    const [finding] = scanText(text);
    expect(finding.match).toBe('re\u0301fugie\u0301e');
    expect(text.slice(finding.index)).toBe(finding.match);
  });

  it('reports a spelling shared by two languages once, under the first', () => {
    expect(terms('persecution')).toEqual(['en:persecution']);
    expect(terms('persécution')).toEqual(['en:persecution']);
    expect(terms('non-refoulement')).toEqual(['en:non-refoulement']);
    expect(terms('le refoulement à la frontière')).toEqual(['en:non-refoulement']);
  });

  it('finds terms in a multilingual text, in order', () => {
    expect(terms('Asylum / لجوء / убежище / 庇护申请')).toEqual([
      'en:asylum',
      'ar:لجوء',
      'ru:убежище',
      'zh:庇护',
    ]);
  });

  it('needs whole words outside Chinese', () => {
    expect(scanText('asylumclaim refugeecamp preasylum')).toEqual([]);
  });

  it('finds a negated mention: it tells the reader the question arose', () => {
    expect(terms('He has not applied for asylum.')).toEqual(['en:asylum']);
    expect(terms("Elle n'a jamais demandé l'asile.")).toEqual(['fr:asile']);
  });

  it('reads the longest form up to the end of a word', () => {
    expect(scanText('two asylees and their persecutors').map((f) => f.match)).toEqual([
      'asylees',
      'persecutors',
    ]);
  });

  it('reads a soft hyphen inside a word next to a word hyphenated at a line break', () => {
    // Found by the evasion property (seed 952755696): "ا\u00ADلرد" read as a spaced-out letter.
    const text = 'حظر الطرد أ-\nو ا\u00ADلرد';
    expect(scanText(text).map((f) => [f.term, f.match])).toEqual([['عدم الإعادة القسرية', text]]);
    expect(scanText('seeking asy-\nlum as a ref\u00ADugee').map((f) => f.match)).toEqual([
      'asy-\nlum',
      'ref\u00ADugee',
    ]);
  });

  it('returns nothing for an empty text', () => {
    expect(scanText('')).toEqual([]);
  });
});

describe('scanBody', () => {
  it('walks every string of a JSON body and names each field by its JSONPath', () => {
    const body = {
      subject: 'Nationality verification',
      persons: [
        { names: { familyNames: ['Eze'] }, notes: 'No remarks.' },
        { names: { familyNames: ['Okafor'] }, notes: 'Filed an asylum claim; fears persecution.' },
      ],
      'free text': ['ok', 'statut de réfugié'],
      count: 3,
      flag: true,
      nothing: null,
    };
    const asylum = scanBody(body).filter((finding) => finding.topic === 'asylum');
    expect(asylum.map(({ field, language, term }) => ({ field, language, term }))).toEqual([
      { field: '$.persons[1].notes', language: 'en', term: 'asylum' },
      { field: '$.persons[1].notes', language: 'en', term: 'persecution' },
      { field: "$['free text'][1]", language: 'fr', term: 'réfugié' },
    ]);
  });

  it('scans a body that is a bare string, and nothing else', () => {
    expect(scanBody('refugee')).toEqual([expect.objectContaining({ field: '$', term: 'refugee' })]);
    expect(scanBody(42)).toEqual([]);
    expect(scanBody(undefined)).toEqual([]);
  });

  it('refuses a body nested too deep to be a message', () => {
    let body: unknown = 'asylum';
    for (let i = 0; i < 100; i++) body = [body];
    expect(() => scanBody(body)).toThrow(RangeError);
  });
});
