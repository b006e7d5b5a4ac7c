/**
 * Checks the sign form against the campaign's field rules and the shared schema (through
 * signerOf, src/db/new-record.ts), and names each problem by a catalog key so it can be
 * shown in the signer's language.
 */
import { signerOf, type SignerEntries } from '../db/new-record.ts';
import type { Campaign, SignerField } from '../shared/campaign.ts';
import { nameProblem, type TextProblem } from '../shared/text-checks.ts';
import type { CatalogKey } from './i18n/catalog.ts';

/** What the signer typed, as strings straight from the inputs. */
export interface FormValues {
  name: string;
  email: string;
  country: string;
  postcode: string;
  phone: string;
  optIn: boolean;
}

export const EMPTY_FORM: FormValues = { name: '', email: '', country: '', postcode: '', phone: '', optIn: false };

export type FieldErrors = Partial<Record<SignerField, CatalogKey>>;

const REQUIRED: Record<SignerField, CatalogKey> = {
  name: 'nameRequired',
  email: 'emailRequired',
  country: 'countryRequired',
  postcode: 'postcodeRequired',
  phone: 'phoneRequired',
};
const INVALID: Record<SignerField, CatalogKey> = {
  name: 'nameInvalid',
  email: 'emailInvalid',
  country: 'countryRequired',
  postcode: 'postcodeInvalid',
  phone: 'phoneInvalid',
};

/** What each problem of a name (shared/text-checks.ts) is called on the form. */
const NAME_PROBLEMS: Record<TextProblem, CatalogKey> = { broken: 'nameInvalid', directionControl: 'nameDirectionControl', nothingVisible: 'nameNoLetter' };
/** The same for a typed signature. */
const TYPED_PROBLEMS: Record<TextProblem, TypedNameError> = { broken: 'typedInvalid', directionControl: 'typedDirectionControl', nothingVisible: 'typedNoLetter' };

/** What is wrong with a typed signature, as a catalog key. */
export type TypedNameError = 'typedRequired' | 'typedInvalid' | 'typedDirectionControl' | 'typedNoLetter';

/** Check a typed signature with the rule the server applies to it; undefined when it can be stored. */
export function typedNameError(typedName: string): TypedNameError | undefined {
  const name = typedName.trim();
  if (name === '') return 'typedRequired';
  const problem = nameProblem(name);
  return problem && TYPED_PROBLEMS[problem];
}

/** Validate the form; returns the signer to store, or the errors to show. */
export function validateSigner(values: FormValues, campaign: Campaign): { signer: SignerEntries['signer']; errors?: undefined } | { signer?: undefined; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const candidate: Record<string, unknown> = { optIn: values.optIn };
  for (const field of ['name', 'email', 'country', 'postcode', 'phone'] as const) {
    const rule = campaign.fields[field];
    const value = values[field].trim();
    if (!rule.shown) continue;
    if (value === '') {
      if (rule.required) errors[field] = REQUIRED[field];
      continue;
    }
    candidate[field] = value;
  }
  if (values.name.trim().length > 200) errors.name = 'nameTooLong';
  const checked = signerOf(candidate);
  if ('refused' in checked) {
    for (const field of checked.refused) {
      errors[field as SignerField] ??= field === 'name' ? NAME_PROBLEMS[nameProblem(String(candidate.name)) ?? 'broken'] : INVALID[field as SignerField];
    }
  }
  return 'signer' in checked && Object.keys(errors).length === 0 ? { signer: checked.signer } : { errors };
}
