// Renders the README's example invoice (docs/invoice-example.png): a business customer's Factur-X
// invoice with two VAT rates, a quantity and service periods, through the renderers the issuing
// code uses. The page is rasterised with poppler's pdftoppm (Debian's poppler-utils), run by hand
// when the layout changes: `npx tsx scripts/invoice-example.ts`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderDocumentPdf } from '../domain/document-pdf';
import { facturXml } from '../domain/factur-x-xml';
import { projectRoot } from '../infra/config';
import { SAMPLE_BUSINESS, sampleDocument, sampleLine } from '../test/support/issued-documents';

async function main(): Promise<void> {
  const doc = sampleDocument({
    customer: SAMPLE_BUSINESS,
    lines: [
      sampleLine({ description: 'Acme CRM, 5 seats, period 2', quantity: 5, exclVatCents: 24_995, vatRateBp: 2000, periodStart: '2026-03-03', periodEnd: '2026-04-02' }),
      sampleLine({ description: 'Acme Academy, online training', exclVatCents: 4_500, vatRateBp: 550, periodStart: '2026-03-03', periodEnd: '2026-04-02' }),
    ],
  });
  const pdf = await renderDocumentPdf(doc, facturXml(doc));
  const dir = mkdtempSync(path.join(tmpdir(), 'invoice-example-'));
  const file = path.join(dir, 'invoice.pdf');
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, path.join(projectRoot, 'docs', 'invoice-example')]);
  console.log(`docs/invoice-example.png (${pdf.length} bytes of PDF rendered)`);
}

void main();
