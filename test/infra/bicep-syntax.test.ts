/**
 * Every .bicep file under infra/ parses with a real Bicep grammar (tree-sitter-bicep from npm). The
 * Bicep CLI cannot be installed here, so types, resource schemas and module versions are not checked.
 */
import { describe, expect, it } from 'vitest';
import { bicepFiles, parseBicep, readBicep, syntaxErrors } from '../support/bicep.js';

describe('infra/ Bicep syntax', () => {
  it('every .bicep file parses without an error', async () => {
    const files = await bicepFiles();
    expect(files).toEqual(
      expect.arrayContaining(['infra/main.bicep', 'infra/app/function-app.bicep', 'infra/app/registration.bicep']),
    );
    for (const file of files) expect(syntaxErrors(await readBicep(file)), file).toEqual([]);
  });

  it('the check finds what breaks a file', async () => {
    const broken = [
      'param location string =\n',
      "resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {\n  name: 'kv'\n",
      "var roles = {\n  reader: 'a'\n  writer 'b'\n}\n",
      'output url string = https://${name}\n',
      "module app 'app.bicep' = if {\n  name: 'app'\n}\n",
    ];
    for (const source of broken) expect(syntaxErrors(await parseBicep(source)), source).not.toEqual([]);
  });

  it("Bicep's current extension keyword is read as the grammar's older one, and nothing else is", async () => {
    const extension = "extension 'br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0'\n";
    expect(syntaxErrors(await parseBicep(extension))).toEqual([]);
    expect(syntaxErrors(await parseBicep('extension microsoftGraphV1 oops\n'))).not.toEqual([]);
  });
});
