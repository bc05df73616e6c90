import type { JSX } from 'preact';
import { ApiError, type FieldDescription, type FormDescription } from './api.js';
import { fieldLabel } from './form-labels.js';
import { LANGUAGES, useI18n } from './i18n.js';

/*
 * A message body's form generated from the schema the API validates (GET /api/v1/procedures):
 * nested groups as fieldsets, arrays with add and remove buttons, enums as selects, dates as date
 * inputs; the API's refusals at their fields, and a checklist of the essential content still
 * missing, each with its legal basis. Used by every page that writes a message of any type (a new
 * request, an answer in a request's thread).
 */

export type Value = unknown;
export type Body = Record<string, Value>;

/** The value a new field starts with: required objects open, required flags false. */
export function initial(field: FieldDescription): Value {
  if (field.kind === 'object') {
    return Object.fromEntries(
      (field.fields ?? [])
        .filter((f) => f.presence !== 'optional')
        .map((f) => [f.name, initial(f)] as const)
        .filter(([, value]) => value !== undefined),
    );
  }
  if (field.kind === 'array') return field.minItems ? [initialItem(field)] : [];
  if (field.kind === 'boolean' && field.presence === 'required') return false;
  return undefined;
}

export function initialItem(field: FieldDescription): Value {
  const items = field.items!;
  return items.kind === 'object' ? initial({ ...items, presence: 'required' }) : '';
}

export function initialBody(form: FormDescription): Body {
  return initial({
    name: '',
    path: '',
    kind: 'object',
    presence: 'required',
    constraints: [],
    fields: form.fields,
  }) as Body;
}

function blank(value: Value): boolean {
  return (
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'string' && value.trim() === '')
  );
}

/** What the API receives: blank optional values left out, numbers as numbers. */
export function cleaned(fields: readonly FieldDescription[], body: Body): Body {
  const out: Body = {};
  for (const field of fields) {
    const value = cleanedValue(field, body[field.name]);
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

function cleanedValue(field: FieldDescription, value: Value): Value {
  if (value === undefined) return undefined;
  switch (field.kind) {
    case 'object': {
      const object = cleaned(field.fields ?? [], value as Body);
      return field.presence === 'optional' && Object.keys(object).length === 0 ? undefined : object;
    }
    case 'array': {
      const items = (value as Value[])
        .map((item) => cleanedValue(field.items!, item))
        .filter((item) => item !== undefined);
      return items.length === 0 && field.presence !== 'required' ? undefined : items;
    }
    case 'number':
      return blank(value) ? undefined : Number(value);
    case 'boolean':
      return value;
    default:
      return blank(value) ? undefined : value;
  }
}

export interface Missing {
  path: string;
  label: string;
  rule?: string;
  message: string;
  conditional: boolean;
}

/** The required (and, flagged, conditional) fields still empty, in the objects present. */
export function missingIn(
  fields: readonly FieldDescription[],
  body: Body,
  prefix: string,
  label: (name: string) => string,
): Missing[] {
  return fields.flatMap((field): Missing[] => {
    const path = prefix ? `${prefix}.${field.name}` : field.name;
    const value = body[field.name];
    if (blank(value) || (field.kind === 'boolean' && value === undefined)) {
      if (field.presence === 'optional' || !field.missing) return [];
      return [
        {
          path,
          label: label(field.name),
          ...(field.missing.rule ? { rule: field.missing.rule } : {}),
          message: field.missing.message,
          conditional: field.presence === 'conditional',
        },
      ];
    }
    if (field.kind === 'object') return missingIn(field.fields ?? [], value as Body, path, label);
    if (field.kind === 'array' && field.items?.kind === 'object') {
      return (value as Body[]).flatMap((item, index) =>
        missingIn(field.items!.fields ?? [], item, `${path}.${index}`, label),
      );
    }
    return [];
  });
}

/** A message without its leading rule id (`UNTOC 18(15)(c): ...`), shown beside it already. */
export function withoutRule(message: string, rule?: string): string {
  return rule && message.startsWith(`${rule}: `) ? message.slice(rule.length + 2) : message;
}

export const idOf = (path: string) => `form-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;

export function setAt(body: Body, path: (string | number)[], value: Value): Body {
  const [head, ...rest] = path;
  const copy: Body | Value[] = Array.isArray(body) ? [...(body as Value[])] : { ...body };
  const current = (copy as Record<string | number, Value>)[head];
  (copy as Record<string | number, Value>)[head] =
    rest.length === 0 ? value : setAt((current ?? {}) as Body, rest, value);
  if (value === undefined && rest.length === 0 && !Array.isArray(copy)) delete copy[head];
  return copy as Body;
}

export function getAt(body: Body, path: (string | number)[]): Value {
  let node: Value = body;
  for (const key of path) {
    if (node === undefined || node === null) return undefined;
    node = (node as Record<string | number, Value>)[key];
  }
  return node;
}

/** The refusals of a field. */
export type FieldErrors = Map<string, Array<{ rule?: string; message: string }>>;

/** The API's refusals, by field: `body.person.names.familyNames` → that input. */
export function fieldErrorsOf(error: unknown): FieldErrors {
  const fieldErrors: FieldErrors = new Map();
  if (error instanceof ApiError && error.body.code === 'VALIDATION_FAILED') {
    for (const detail of error.body.details) {
      if (typeof detail.field !== 'string' || !detail.field.startsWith('body.')) continue;
      const path = detail.field.slice('body.'.length);
      const list = fieldErrors.get(path) ?? [];
      list.push({
        ...(typeof detail.rule === 'string' ? { rule: detail.rule } : {}),
        message: typeof detail.message === 'string' ? detail.message : '',
      });
      fieldErrors.set(path, list);
    }
  }
  return fieldErrors;
}

/** The inputs of a form's fields, bound to `body`; `update` sets the value at a path. */
export function GeneratedFields({
  fields,
  body,
  update,
  fieldErrors,
}: {
  fields: readonly FieldDescription[];
  body: Body;
  update: (path: (string | number)[], value: Value) => void;
  fieldErrors: FieldErrors;
}) {
  const { t, language } = useI18n();
  const labels = LANGUAGES[language]?.labels ?? {};
  const label = (name: string) => fieldLabel(labels, name);

  const errorsAt = (path: string) => {
    const errors = fieldErrors.get(path);
    if (!errors) return null;
    return (
      <ul id={`${idOf(path)}-error`} class="field-error">
        {errors.map((e, index) => (
          <li key={index}>
            {e.rule && <code class="code">{e.rule}</code>} {withoutRule(e.message, e.rule)}
          </li>
        ))}
      </ul>
    );
  };
  const describedBy = (path: string, hint?: boolean) =>
    [hint ? `${idOf(path)}-hint` : '', fieldErrors.has(path) ? `${idOf(path)}-error` : '']
      .filter(Boolean)
      .join(' ') || undefined;

  const hintOf = (field: FieldDescription): string | undefined => {
    if (field.format === 'partial-date') return t('form.formatPartialDate');
    if (field.format === 'date-time') return t('form.formatDateTime');
    if (field.format === 'country') return t('form.formatCountry');
    if (field.format === 'currency') return t('form.formatCurrency');
    return undefined;
  };

  /** One scalar input; `text` is the visible label. */
  const scalar = (field: FieldDescription, at: (string | number)[], text: string) => {
    const path = at.join('.');
    const id = idOf(path);
    const value = getAt(body, at);
    const hint = hintOf(field);
    const invalid = fieldErrors.has(path) ? true : undefined;
    const required = field.presence === 'required';
    if (field.kind === 'boolean') {
      return (
        <div class="check" key={path}>
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            aria-invalid={invalid}
            aria-describedby={describedBy(path)}
            onChange={(e) => update(at, (e.target as HTMLInputElement).checked)}
          />
          <label for={id}>{text}</label>
          {errorsAt(path)}
        </div>
      );
    }
    const common = {
      id,
      required,
      'aria-invalid': invalid,
      'aria-describedby': describedBy(path, hint !== undefined),
    };
    let input;
    if (field.kind === 'enum') {
      input = (
        <select
          {...common}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => update(at, (e.target as HTMLSelectElement).value || undefined)}
        >
          <option value="">{t('form.notChosen')}</option>
          {(field.values ?? []).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      );
    } else {
      const onInput = (e: Event) => update(at, (e.target as HTMLInputElement).value);
      const shown = typeof value === 'string' || typeof value === 'number' ? value : '';
      input =
        field.kind === 'text' && (field.maxLength ?? 0) > 500 ? (
          <textarea {...common} rows={3} value={shown} onInput={onInput} />
        ) : field.kind === 'number' ? (
          <input {...common} type="number" min={field.minimum} value={shown} onInput={onInput} />
        ) : field.format === 'date' ? (
          <input {...common} type="date" value={shown} onInput={onInput} />
        ) : (
          <input
            {...common}
            type="text"
            maxLength={field.maxLength}
            value={shown}
            onInput={onInput}
          />
        );
    }
    return (
      <div class="field" key={path}>
        <label for={id}>
          {text}
          {required && <span class="muted"> ({t('form.required')})</span>}
        </label>
        {input}
        {hint && (
          <span id={`${id}-hint`} class="help">
            {hint}
          </span>
        )}
        {errorsAt(path)}
      </div>
    );
  };

  const renderField = (field: FieldDescription, at: (string | number)[]): JSX.Element => {
    const path = at.join('.');
    const text = label(field.name);
    const value = getAt(body, at);
    if (field.kind === 'object') {
      if (value === undefined) {
        return (
          <div class="field" key={path}>
            <button
              type="button"
              onClick={() => update(at, initial({ ...field, presence: 'required' }))}
            >
              {t('form.add', { label: text })}
            </button>
          </div>
        );
      }
      return (
        <fieldset key={path} id={idOf(path)}>
          <legend>{text}</legend>
          {errorsAt(path)}
          {(field.fields ?? []).map((f) => renderField(f, [...at, f.name]))}
          {field.presence !== 'required' && (
            <button type="button" onClick={() => update(at, undefined)}>
              {t('form.remove', { label: text })}
            </button>
          )}
        </fieldset>
      );
    }
    if (field.kind === 'array') {
      const items = field.items!;
      const list = Array.isArray(value) ? (value as Value[]) : [];
      if (items.kind === 'enum') {
        return (
          <fieldset key={path} class="choices" id={idOf(path)}>
            <legend>{text}</legend>
            {errorsAt(path)}
            {(items.values ?? []).map((v) => {
              const id = `${idOf(path)}-${v}`;
              return (
                <div class="check" key={v}>
                  <input
                    id={id}
                    type="checkbox"
                    checked={list.includes(v)}
                    onChange={(e) =>
                      update(
                        at,
                        (e.target as HTMLInputElement).checked
                          ? [...list, v]
                          : list.filter((x) => x !== v),
                      )
                    }
                  />
                  <label for={id}>{v}</label>
                </div>
              );
            })}
          </fieldset>
        );
      }
      const full = field.maxItems !== undefined && list.length >= field.maxItems;
      return (
        <fieldset key={path} id={idOf(path)}>
          <legend>{text}</legend>
          {errorsAt(path)}
          {list.map((_, index) => {
            const itemText = t('form.item', { label: text, n: index + 1 });
            return (
              <div key={index} class="array-item">
                {items.kind === 'object' ? (
                  <fieldset>
                    <legend>{itemText}</legend>
                    {(items.fields ?? []).map((f) => renderField(f, [...at, index, f.name]))}
                  </fieldset>
                ) : (
                  scalar(items, [...at, index], itemText)
                )}
                <button
                  type="button"
                  onClick={() =>
                    update(
                      at,
                      list.filter((__, i) => i !== index),
                    )
                  }
                >
                  {t('form.remove', { label: itemText })}
                </button>
              </div>
            );
          })}
          <button
            type="button"
            disabled={full}
            onClick={() => update(at, [...list, initialItem(field)])}
          >
            {t('form.add', { label: text })}
          </button>
        </fieldset>
      );
    }
    return scalar(field, at, text);
  };

  return <>{fields.map((field) => renderField(field, [field.name]))}</>;
}

/** The essential content still missing, each item a link to its field, with its legal basis. */
export function Checklist({ items }: { items: Missing[] }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="checklist-title" class="card checklist">
      <h2 id="checklist-title">{t('form.checklist')}</h2>
      {items.length === 0 ? (
        <p>{t('form.checklistEmpty')}</p>
      ) : (
        <ul>
          {items.map((item) => (
            <li key={item.path}>
              <a
                href={`#${idOf(item.path)}`}
                onClick={(e) => {
                  e.preventDefault();
                  document.getElementById(idOf(item.path))?.focus();
                }}
              >
                {item.label}
              </a>
              {item.conditional && <span class="muted"> ({t('form.ifApplicable')})</span>}
              {': '}
              {item.rule && <code class="code">{item.rule}</code>}{' '}
              {withoutRule(item.message, item.rule)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
