// The official Factur-X EN 16931 XSD (test/fixtures/factur-x/en16931, see its README), applied
// with xmllint compiled to WebAssembly: the check every issued invoice's XML must pass (INV-1).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { validateXML, type XMLValidationResult } from 'xmllint-wasm';

const XSD_DIR = join(__dirname, '../fixtures/factur-x/en16931');
const MAIN_XSD = 'Factur-X_EN16931.xsd';
const xsd = (fileName: string) => ({ fileName, contents: readFileSync(join(XSD_DIR, fileName), 'utf8') });

export function validateFacturX(xml: string): Promise<XMLValidationResult> {
  return validateXML({
    xml: { fileName: 'invoice.xml', contents: xml },
    schema: xsd(MAIN_XSD),
    // The files the main XSD imports, found by their schemaLocation in xmllint's in-memory file system.
    preload: readdirSync(XSD_DIR).filter((f) => f.endsWith('.xsd') && f !== MAIN_XSD).map(xsd),
  });
}

export async function expectValidFacturX(xml: string): Promise<void> {
  const result = await validateFacturX(xml);
  expect(result.valid, `XSD errors:\n${result.errors.map((e) => e.rawMessage).join('\n')}`).toBe(true);
}
