import { extractText, getDocumentProxy } from 'unpdf'

/** A PDF's text, read back in JavaScript (no pdftotext), with runs of spaces made one */
export async function pdfText(pdf: Buffer | Uint8Array): Promise<string> {
  const document = await getDocumentProxy(new Uint8Array(pdf))
  const { text } = await extractText(document, { mergePages: true })
  return text.replace(/[ \t]+/g, ' ')
}
