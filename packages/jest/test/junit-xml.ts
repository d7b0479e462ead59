/** A `<testcase>` of a JUnit report, as the adapter tests compare them. */
export interface JunitTestCase {
  classname: string
  name: string
  /** The `file` attribute, when the reporter adds it. */
  file?: string
  failure?: string
  skipped: boolean
  properties: Record<string, string>
}

/**
 * Reads the testcases of a JUnit file as jest-junit writes it (one element per line, no
 * namespaces, no CDATA outside `<system-out>`): enough to compare reports, not a general parser.
 */
export function parseJunit(xml: string): JunitTestCase[] {
  const testcases: JunitTestCase[] = []
  const pattern = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g
  for (const match of xml.matchAll(pattern)) {
    const attributes = attributesOf(match[1] ?? '')
    const body = match[3] ?? ''
    const failure = /<failure\b[^>]*?(?:\/>|>([\s\S]*?)<\/failure>)/.exec(body)
    const properties: Record<string, string> = {}
    for (const property of body.matchAll(/<property\b([^>]*?)\/>/g)) {
      const { name, value } = attributesOf(property[1] ?? '')
      if (name !== undefined) properties[name] = value ?? ''
    }
    testcases.push({
      classname: attributes.classname ?? '',
      name: attributes.name ?? '',
      ...(attributes.file === undefined ? {} : { file: attributes.file }),
      ...(failure ? { failure: decode(failure[1] ?? '') } : {}),
      skipped: /<skipped\b/.test(body),
      properties,
    })
  }
  return testcases
}

function attributesOf(text: string): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (const match of text.matchAll(/([\w:-]+)="([^"]*)"/g)) {
    attributes[match[1]!] = decode(match[2]!)
  }
  return attributes
}

const entities: Record<string, string> = {
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
  '&amp;': '&',
}

function decode(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (entity) => entities[entity]!)
}
