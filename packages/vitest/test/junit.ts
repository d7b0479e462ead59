/** Just enough of a JUnit reader for Vitest's own `junit` reporter output. */
export interface JUnitCase {
  classname: string
  name: string
  status: 'passed' | 'failed' | 'skipped'
  properties: Record<string, string>
  /** The `message` attribute of the first `<failure>`. */
  failure?: string
}

export function readJUnit(xml: string): JUnitCase[] {
  const cases: JUnitCase[] = []
  const testcase = /<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g
  for (const match of xml.matchAll(testcase)) {
    const attributes = attrs(match[1] ?? '')
    const body = match[2] ?? ''
    const properties: Record<string, string> = {}
    for (const property of body.matchAll(/<property\b([^>]*?)\/?>/g)) {
      const { name, value } = attrs(property[1] ?? '')
      if (name !== undefined) properties[name] = value ?? ''
    }
    const failure = /<failure\b([^>]*?)>/.exec(body)
    const skipped = /<skipped\s*\/?>/.test(body)
    cases.push({
      classname: attributes.classname ?? '',
      name: attributes.name ?? '',
      status: failure ? 'failed' : skipped ? 'skipped' : 'passed',
      properties,
      ...(failure ? { failure: attrs(failure[1] ?? '').message ?? '' } : {}),
    })
  }
  return cases
}

function attrs(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const match of text.matchAll(/([\w:-]+)="([^"]*)"/g)) result[match[1]!] = unescape(match[2]!)
  return result
}

function unescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
    .replace(/&amp;/g, '&')
}
