import { useEffect, useState } from 'preact/hooks';
import { get } from '../api.js';
import { ErrorView } from '../components.js';
import { LANGUAGES, useI18n, type LabelKey, type Translate } from '../i18n.js';
import { PROCEDURES } from './mailbox.js';

interface Cell {
  value: string;
  count: number | null;
}

interface Population {
  period: string;
  procedure: string;
  indicator: string;
  total: number | null;
  breakdowns: Array<{ dimension: string; cells: Cell[] }>;
  medianResponseDays?: string | null;
}

interface Indicators {
  periods: string[];
  populations: Population[];
  frozenValues: Array<{ period: string; currency: string; amount: number | null }>;
}

interface Filters {
  from: string;
  to: string;
  procedure: string;
}

function queryOf(filters: Filters): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters) as Array<[string, string]>) {
    if (value) query.set(name, value);
  }
  return query.toString();
}

/** A label where one exists, else the value itself (a State code, an age band). */
const label = (t: Translate, key: string, fallback: string) =>
  key in LANGUAGES.en.labels ? t(key as LabelKey) : fallback;

/** A value as read: coded values of the indicators have labels, State codes and bands stand as they are. */
function valueLabel(t: Translate, value: string): string {
  return label(t, `indicators.value.${value}`, value);
}

const BAR_HEIGHT = 22;
const LABEL_WIDTH = 260;
const CHART_WIDTH = 640;

/**
 * One indicator as a bar chart (SVG, read as an image with its title and description) of its
 * totals per quarter and procedure, then the same figures and their breakdowns as a table.
 */
function IndicatorChart({
  indicator,
  populations,
}: {
  indicator: string;
  populations: Population[];
}) {
  const { t } = useI18n();
  const name = label(t, `indicators.${indicator}`, indicator);
  const id = `chart-${indicator}`;
  const max = Math.max(5, ...populations.map((p) => p.total ?? 0));
  const rowName = (p: Population) => `${p.period} · ${t(`procedure.${p.procedure}` as LabelKey)}`;
  const figure = (count: number | null) =>
    count === null ? t('statistics.suppressed') : String(count);
  const description = populations.map((p) => `${rowName(p)}: ${figure(p.total)}`).join('; ');
  const height = populations.length * (BAR_HEIGHT + 8) + 8;
  return (
    <figure class="indicator">
      <svg
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        viewBox={`0 0 ${CHART_WIDTH} ${height}`}
        width="100%"
        class="chart"
      >
        <title id={`${id}-title`}>{name}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {populations.map((p, i) => {
          const y = 8 + i * (BAR_HEIGHT + 8);
          const width = p.total === null ? 0 : ((CHART_WIDTH - LABEL_WIDTH - 60) * p.total) / max;
          return (
            <g key={`${p.period}:${p.procedure}`}>
              <text x={0} y={y + BAR_HEIGHT * 0.7} class="chart-label">
                {rowName(p)}
              </text>
              {p.total === null ? (
                <rect x={LABEL_WIDTH} y={y} width={24} height={BAR_HEIGHT} class="bar suppressed" />
              ) : (
                <rect x={LABEL_WIDTH} y={y} width={width} height={BAR_HEIGHT} class="bar" />
              )}
              <text
                x={LABEL_WIDTH + Math.max(width, 24) + 6}
                y={y + BAR_HEIGHT * 0.7}
                class="chart-value"
              >
                {figure(p.total)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{name}</figcaption>
      <table>
        <caption>{t('indicators.tableCaption', { indicator: name })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('indicators.period')}</th>
            <th scope="col">{t('field.procedure')}</th>
            <th scope="col">{t('indicators.breakdown')}</th>
            <th scope="col">{t('indicators.value')}</th>
            <th scope="col">{t('indicators.count')}</th>
          </tr>
        </thead>
        <tbody>
          {populations.flatMap((p) => [
            <tr key={`${p.period}:${p.procedure}:total`} class="total">
              <td>{p.period}</td>
              <td>{t(`procedure.${p.procedure}` as LabelKey)}</td>
              <td>{t('statistics.total')}</td>
              <td />
              <td>{figure(p.total)}</td>
            </tr>,
            ...p.breakdowns.flatMap((breakdown) =>
              breakdown.cells.map((cell) => (
                <tr key={`${p.period}:${p.procedure}:${breakdown.dimension}:${cell.value}`}>
                  <td>{p.period}</td>
                  <td>{t(`procedure.${p.procedure}` as LabelKey)}</td>
                  <td>
                    {label(t, `indicators.dimension.${breakdown.dimension}`, breakdown.dimension)}
                  </td>
                  <td>{valueLabel(t, cell.value)}</td>
                  <td>
                    {cell.count === null ? <span class="muted">{figure(null)}</span> : cell.count}
                  </td>
                </tr>
              )),
            ),
            ...(p.medianResponseDays === undefined
              ? []
              : [
                  <tr key={`${p.period}:${p.procedure}:median`}>
                    <td>{p.period}</td>
                    <td>{t(`procedure.${p.procedure}` as LabelKey)}</td>
                    <td>{t('indicators.medianResponseDays')}</td>
                    <td>{p.medianResponseDays ?? <span class="muted">{figure(null)}</span>}</td>
                    <td />
                  </tr>,
                ]),
          ])}
        </tbody>
      </table>
    </figure>
  );
}

/** The UNODC operational indicators: filters, a CSV download, a chart and a table per indicator. */
export function IndicatorsSection() {
  const { t } = useI18n();
  const [filters, setFilters] = useState<Filters>({ from: '', to: '', procedure: '' });
  const [applied, setApplied] = useState<Filters>(filters);
  const [indicators, setIndicators] = useState<Indicators>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    setError(undefined);
    get<Indicators>(`/api/v1/statistics/indicators?${queryOf(applied)}`).then(
      setIndicators,
      setError,
    );
  }, [applied]);
  const set = (name: keyof Filters) => (e: Event) =>
    setFilters({ ...filters, [name]: (e.target as HTMLInputElement).value });
  const csv = `/api/v1/statistics/indicators?${queryOf(applied)}${queryOf(applied) ? '&' : ''}format=csv`;
  const groups = [...new Set(indicators?.populations.map((p) => p.indicator) ?? [])];
  return (
    <section aria-labelledby="indicators-title">
      <h2 id="indicators-title">{t('indicators.title')}</h2>
      <p>{t('indicators.note')}</p>
      <form
        class="filters"
        aria-label={t('indicators.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filters);
        }}
      >
        <div>
          <label for="indicators-from">{t('indicators.from')}</label>
          <input id="indicators-from" type="date" value={filters.from} onChange={set('from')} />
        </div>
        <div>
          <label for="indicators-to">{t('indicators.to')}</label>
          <input id="indicators-to" type="date" value={filters.to} onChange={set('to')} />
        </div>
        <div>
          <label for="indicators-procedure">{t('field.procedure')}</label>
          <select id="indicators-procedure" value={filters.procedure} onChange={set('procedure')}>
            <option value="">{t('mailbox.allProcedures')}</option>
            {PROCEDURES.map((p) => (
              <option key={p} value={p}>
                {t(`procedure.${p}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <button type="submit">{t('indicators.apply')}</button>
        </div>
      </form>
      <p>
        <a href={csv} download>
          {t('indicators.csv')}
        </a>
      </p>
      <ErrorView error={error} />
      {indicators && <p>{t('indicators.periods', { periods: indicators.periods.join(', ') })}</p>}
      {indicators && groups.length === 0 && <p>{t('indicators.empty')}</p>}
      {groups.map((indicator) => (
        <IndicatorChart
          key={indicator}
          indicator={indicator}
          populations={indicators!.populations.filter((p) => p.indicator === indicator)}
        />
      ))}
      {indicators && indicators.frozenValues.length > 0 && (
        <table>
          <caption>{t('indicators.assets-frozen')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('indicators.period')}</th>
              <th scope="col">{t('indicators.currency')}</th>
              <th scope="col">{t('indicators.amount')}</th>
            </tr>
          </thead>
          <tbody>
            {indicators.frozenValues.map((value) => (
              <tr key={`${value.period}:${value.currency}`}>
                <td>{value.period}</td>
                <td>{value.currency}</td>
                <td>
                  {value.amount === null ? (
                    <span class="muted">{t('statistics.suppressed')}</span>
                  ) : (
                    value.amount
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
