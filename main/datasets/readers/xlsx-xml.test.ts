import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeXmlText, parseDateStyles, parseWorkbook, readSharedStrings, sheetRows, stringItemText } from './xlsx-xml.js';

const chunks = (s: string, n = 7) => Readable.from(Array.from({ length: Math.ceil(s.length / n) }, (_, i) => Buffer.from(s.slice(i * n, i * n + n))));

describe('SpreadsheetML scanners', () => {
  it('decodes entities and _xHHHH_ escapes', () => {
    expect(decodeXmlText('a &amp; b &lt;c&gt; &#20320;&#x597D;_x000D_\n')).toBe('a & b <c> 你好\r\n');
  });

  it('flattens rich text and drops phonetic runs', () => {
    expect(stringItemText('<r><rPr><b/></rPr><t>Where is </t></r><r><t xml:space="preserve">my order?</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh>')).toBe('Where is my order?');
  });

  it('reads shared strings split across chunks', async () => {
    const xml = '<sst count="3"><si><t>问题</t></si><si/><si><r><t>a</t></r><r><t>b</t></r></si></sst>';
    expect(await readSharedStrings(chunks(xml))).toEqual(['问题', '', 'ab']);
  });

  it('reads sheet names, hidden state, 1904 dates and part paths', () => {
    const wb = parseWorkbook(
      '<workbook><workbookPr date1904="1"/><sheets><sheet name="A &amp; B" sheetId="1" r:id="rId1"/><sheet name="H" sheetId="2" state="hidden" r:id="rId2"/></sheets></workbook>',
      '<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="x/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://x/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    );
    expect(wb).toEqual({ sheets: [{ name: 'A & B', path: 'xl/worksheets/sheet1.xml', hidden: false }, { name: 'H', path: 'xl/worksheets/sheet2.xml', hidden: true }], date1904: true, sharedStrings: 'xl/sharedStrings.xml' });
  });

  it('knows which styles are dates', () => {
    expect(parseDateStyles('<numFmts><numFmt numFmtId="164" formatCode="yyyy/mm/dd"/><numFmt numFmtId="165" formatCode="&quot;$&quot;#,##0.00"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs>')).toEqual([false, true, true, false]);
  });

  it('reads every cell type with row numbers and gaps', async () => {
    const xml =
      '<worksheet><dimension ref="A1:F9"/><sheetData>' +
      '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="C2" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c></row>' +
      '<row r="3" spans="1:6"><c r="A3"><v>0.1</v></c><c r="B3" s="1"><v>45352.5</v></c><c r="C3" t="b"><v>1</v></c><c r="D3" t="e"><v>#N/A</v></c><c r="E3" t="str"><f>A1&amp;"x"</f><v>a &amp; x</v></c><c r="F3" s="1"/></row>' +
      '<row r="5"/>' +
      '<row r="6"><c r="A6"><f>1+2</f><v></v></c></row>' +
      '<row><c><v>7</v></c><c><v>8</v></c></row>' +
      '</sheetData><rowBreaks count="1"/></worksheet>';
    const rows = [];
    for await (const r of sheetRows(chunks(xml, 5), { sharedStrings: ['问题'], dateStyles: [false, true], date1904: false })) rows.push(r);
    expect(rows).toEqual([
      { row: 2, cells: ['问题', null, 'inline'] },
      { row: 3, cells: [0.1, '2024-03-01T12:00:00', true, '#N/A', 'a & x'] },
      { row: 7, cells: [7, 8] },
    ]);
  });

  it('reads prefixed SpreadsheetML (<x:row>, as .NET writes it), even with the prefix split across chunks', async () => {
    const xml = '<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>q</x:t></x:is></x:c></x:row><x:row r="2"><x:c r="A2"><x:v>5</x:v></x:c></x:row></x:sheetData></x:worksheet>';
    const rows = [];
    for await (const r of sheetRows(chunks(xml, 3), { sharedStrings: [], dateStyles: [], date1904: false })) rows.push(r);
    expect(rows).toEqual([{ row: 1, cells: ['q'] }, { row: 2, cells: [5] }]);
    expect(await readSharedStrings(chunks('<x:sst xmlns:x="s"><x:si><x:t>a</x:t></x:si></x:sst>', 4))).toEqual(['a']);
  });
});
