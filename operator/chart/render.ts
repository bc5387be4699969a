import { format, resolveConfig } from 'prettier';
import { valuesJsonSchema, valuesSchemaPath } from './values.js';

/** values.schema.json as `npm run generate` writes it: formatted as `npm run lint` expects. */
export async function renderValuesSchema(root: string): Promise<string> {
  const config = await resolveConfig(`${root}/${valuesSchemaPath}`);
  return format(JSON.stringify(valuesJsonSchema()), { ...config, parser: 'json' });
}
