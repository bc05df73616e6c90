import { useEffect, useState } from 'preact/hooks';
import { get } from '../api.js';
import { ErrorView, formatDateTime, Page } from '../components.js';
import { useI18n, type LabelKey } from '../i18n.js';
import { IndicatorsSection } from './indicators.js';
import { EnumValue } from '../enum-labels.js';

interface Figures {
  authorityId: string;
  generatedAt: string;
  smallCellThreshold: number;
  roundingBase: number;
  cells: Array<{
    procedure: string;
    status: string;
    requests: number | null;
    overdue: number | null;
  }>;
  totals: Array<{ procedure: string; requests: number | null; overdue: number | null }>;
  overall: { requests: number | null; overdue: number | null };
}

/** Aggregated, anonymised figures: rounded, small cells suppressed (and said so). */
export function StatisticsPage() {
  const { t, language } = useI18n();
  const [figures, setFigures] = useState<Figures>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    get<Figures>('/api/v1/statistics').then(setFigures, setError);
  }, []);
  const shown = (value: number | null) =>
    value === null ? <span class="muted">{t('statistics.suppressed')}</span> : value;
  return (
    <Page title={t('statistics.title')}>
      <ErrorView error={error} />
      {figures && (
        <>
          <p>
            {t('statistics.note', {
              base: figures.roundingBase,
              threshold: figures.smallCellThreshold,
              at: formatDateTime(figures.generatedAt, language),
            })}
          </p>
          <table>
            <caption>{t('statistics.caption', { authority: figures.authorityId })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('field.procedure')}</th>
                <th scope="col">{t('field.state')}</th>
                <th scope="col">{t('statistics.requests')}</th>
                <th scope="col">{t('statistics.overdue')}</th>
              </tr>
            </thead>
            <tbody>
              {figures.cells.map((cell) => (
                <tr key={`${cell.procedure}:${cell.status}`}>
                  <td>{t(`procedure.${cell.procedure}` as LabelKey)}</td>
                  <td>
                    <EnumValue family="state" code={cell.status} />
                  </td>
                  <td>{shown(cell.requests)}</td>
                  <td>{shown(cell.overdue)}</td>
                </tr>
              ))}
              {figures.totals.map((total) => (
                <tr key={`total:${total.procedure}`} class="total">
                  <th scope="row">{t(`procedure.${total.procedure}` as LabelKey)}</th>
                  <td>{t('statistics.total')}</td>
                  <td>{shown(total.requests)}</td>
                  <td>{shown(total.overdue)}</td>
                </tr>
              ))}
              <tr class="total">
                <th scope="row" colSpan={2}>
                  {t('statistics.overall')}
                </th>
                <td>{shown(figures.overall.requests)}</td>
                <td>{shown(figures.overall.overdue)}</td>
              </tr>
            </tbody>
          </table>
        </>
      )}
      <IndicatorsSection />
    </Page>
  );
}
