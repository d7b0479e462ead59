// pipetest report: the page's behaviour, inlined into one self-contained HTML file (see
// src/report/html.ts). The DAG arrives as positioned SVG; this script adds selection, the
// details panel, zoom and pan, search and the failed-only filter. User data (names, paths,
// logs) is only ever set as text (textContent), never as HTML.
;(() => {
  'use strict'
  const model = JSON.parse(document.getElementById('pipetest-data').textContent)
  const sections = Array.from(document.querySelectorAll('section.pipeline'))
  const tabs = Array.from(document.querySelectorAll('.tab'))
  const views = sections.map((section, index) => setUp(section, model.pipelines[index]))

  tabs.forEach((tab, index) => {
    tab.addEventListener('click', () => {
      show(index)
      location.hash = encodeURIComponent(model.pipelines[index].id)
    })
  })
  window.addEventListener('hashchange', fromHash)
  fromHash()

  function show(index) {
    sections.forEach((section, i) => {
      section.hidden = i !== index
    })
    tabs.forEach((tab, i) => {
      tab.classList.toggle('active', i === index)
    })
    views[index].fit()
  }

  /** `#<pipeline id>/<node>` opens that node: the links printed at the end of a run. */
  function fromHash() {
    const hash = decodeURIComponent(location.hash.slice(1))
    const slash = hash.indexOf('/')
    const id = slash === -1 ? hash : hash.slice(0, slash)
    const node = slash === -1 ? '' : hash.slice(slash + 1)
    let index = model.pipelines.findIndex((p) => p.id === id || p.name === id)
    if (index === -1) {
      // No hash: open the first pipeline that failed, at its first failed node.
      index = Math.max(
        0,
        model.pipelines.findIndex((p) => p.failedNodes.length > 0),
      )
    }
    if (!views[index]) return
    show(index)
    const pipeline = model.pipelines[index]
    // A link names its node: bring it into view. Opening the page shows the whole DAG with
    // the first failure's details beside it.
    const target = node || (!hash ? pipeline.failedNodes[0] : '')
    if (target) views[index].selectNode(target, Boolean(node))
    else views[index].overview()
  }

  function setUp(section, pipeline) {
    const graph = section.querySelector('.graph')
    const svg = section.querySelector('svg.dag')
    const panel = section.querySelector('.panel')
    const search = section.querySelector('.search')
    const matchesLabel = section.querySelector('.matches')
    const failedOnly = section.querySelector('.failed-only')
    const nodeEls = Array.from(svg.querySelectorAll('.node'))
    const edgeEls = Array.from(svg.querySelectorAll('.edge'))
    const byName = new Map(pipeline.nodes.map((node, i) => [node.name, i]))
    const full = { x: 0, y: 0, w: Math.max(pipeline.width, 1), h: Math.max(pipeline.height, 1) }
    let box = { ...full }
    let matches = []
    let matchIndex = -1

    // Zoom and pan: the viewBox is the camera.
    function apply() {
      svg.setAttribute('viewBox', [box.x, box.y, box.w, box.h].join(' '))
    }
    function fit() {
      const rect = graph.getBoundingClientRect()
      const aspect = rect.width > 0 && rect.height > 0 ? rect.width / rect.height : 1.6
      // Never zoom in further than 1:1 to fit a small DAG; a big one is shown whole.
      const w = Math.max(full.w, full.h * aspect, rect.width || 0)
      const h = w / aspect
      box = { x: (full.w - w) / 2, y: (full.h - h) / 2, w, h }
      apply()
    }
    function scale() {
      const rect = graph.getBoundingClientRect()
      return rect.width > 0 ? box.w / rect.width : 1
    }
    function zoom(factor, cx, cy) {
      const w = Math.min(Math.max(box.w * factor, 80), Math.max(full.w, full.h) * 8)
      const real = w / box.w
      box = {
        x: cx - (cx - box.x) * real,
        y: cy - (cy - box.y) * real,
        w,
        h: box.h * real,
      }
      apply()
    }
    function centre(node) {
      const n = pipeline.nodes[node]
      const rect = graph.getBoundingClientRect()
      if (rect.width > 0 && box.w / rect.width > 1.5) {
        // Too far out to read the node: come closer first.
        const aspect = rect.width / rect.height
        box.w = rect.width
        box.h = rect.width / aspect
      }
      box.x = n.x + n.width / 2 - box.w / 2
      box.y = n.y + n.height / 2 - box.h / 2
      apply()
    }
    function pointer(event) {
      const rect = graph.getBoundingClientRect()
      return {
        x: box.x + ((event.clientX - rect.left) / rect.width) * box.w,
        y: box.y + ((event.clientY - rect.top) / rect.height) * box.h,
      }
    }
    graph.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault()
        const at = pointer(event)
        zoom(Math.exp(event.deltaY * 0.0015), at.x, at.y)
      },
      { passive: false },
    )
    let drag = null
    graph.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return
      drag = { x: event.clientX, y: event.clientY, box: { ...box }, moved: false }
    })
    window.addEventListener('pointermove', (event) => {
      if (!drag) return
      const dx = event.clientX - drag.x
      const dy = event.clientY - drag.y
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return
      drag.moved = true
      graph.classList.add('panning')
      const s = scale()
      box.x = drag.box.x - dx * s
      box.y = drag.box.y - dy * s
      apply()
    })
    window.addEventListener('pointerup', () => {
      graph.classList.remove('panning')
      // A drag that moved is a pan, not a click on whatever it ended on.
      if (drag && drag.moved) {
        const swallow = (event) => {
          event.stopPropagation()
        }
        window.addEventListener('click', swallow, { capture: true, once: true })
        setTimeout(() => {
          window.removeEventListener('click', swallow, { capture: true })
        }, 0)
      }
      drag = null
    })
    section.querySelector('.zoom-in').addEventListener('click', () => {
      zoom(1 / 1.3, box.x + box.w / 2, box.y + box.h / 2)
    })
    section.querySelector('.zoom-out').addEventListener('click', () => {
      zoom(1.3, box.x + box.w / 2, box.y + box.h / 2)
    })
    section.querySelector('.zoom-fit').addEventListener('click', fit)

    nodeEls.forEach((el) => {
      const index = Number(el.getAttribute('data-node'))
      const open = () => {
        // The node is in view already: select it without moving the camera.
        selectNode(pipeline.nodes[index].name, false)
        history.replaceState(null, '', hashOf(pipeline.nodes[index].name))
      }
      el.addEventListener('click', open)
      el.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault()
          open()
        }
      })
    })
    edgeEls.forEach((el) => {
      el.addEventListener('click', () => {
        selectEdge(Number(el.getAttribute('data-edge')))
      })
    })

    // Search by name and the failed-only filter both dim what does not match.
    function refilter() {
      const query = search.value.trim().toLowerCase()
      const onlyFailed = failedOnly.checked
      matches = []
      pipeline.nodes.forEach((node, i) => {
        const hit = query !== '' && node.name.toLowerCase().indexOf(query) !== -1
        if (hit) matches.push(i)
        const failing = node.status === 'failed' || node.status === 'blocked'
        const visible = (query === '' || hit) && (!onlyFailed || failing)
        nodeEls[i].classList.toggle('match', hit)
        nodeEls[i].classList.toggle('dim', !visible)
      })
      edgeEls.forEach((el, i) => {
        const edge = pipeline.edges[i]
        const failing = edge.status === 'failed' || edge.status === 'blocked'
        el.classList.toggle('dim', query !== '' || (onlyFailed && !failing))
      })
      matchIndex = -1
      matchesLabel.textContent =
        query === '' ? '' : matches.length === 1 ? '1 match' : `${matches.length} matches`
    }
    search.addEventListener('input', refilter)
    search.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || matches.length === 0) return
      matchIndex = (matchIndex + 1) % matches.length
      selectNode(pipeline.nodes[matches[matchIndex]].name, true)
    })
    failedOnly.addEventListener('change', refilter)

    function mark(nodeIndex, edgeIndex) {
      nodeEls.forEach((el, i) => {
        el.classList.toggle('selected', i === nodeIndex)
      })
      edgeEls.forEach((el, i) => {
        el.classList.toggle('selected', i === edgeIndex)
      })
    }

    function selectNode(name, scrollTo) {
      const index = byName.get(name)
      if (index === undefined) return overview()
      mark(index, -1)
      if (scrollTo) centre(index)
      renderNode(pipeline.nodes[index])
    }

    function selectEdge(index) {
      mark(-1, index)
      renderEdge(pipeline.edges[index])
    }

    function overview() {
      mark(-1, -1)
      panel.replaceChildren()
      panel.append(h('h2', null, pipeline.name))
      const failed = pipeline.nodes.filter((n) => n.status === 'failed')
      if (failed.length === 0) {
        panel.append(
          h(
            'p',
            'hint',
            'Every node passed. Click a node to see its spec, executions, logs and outputs.',
          ),
        )
      }
      nodeList('Failed nodes', failed, (n) => firstLine(n.failure ? n.failure.message : n.status))
      nodeList(
        'Blocked (not run)',
        pipeline.nodes.filter((n) => n.status === 'blocked'),
        (n) => (n.blockedBy ? `blocked by ${n.blockedBy}` : 'blocked'),
      )
      part(
        'Run',
        kv([
          ['run folder', pipeline.runFolder],
          ['DAG file', pipeline.dagFile || '—'],
          ['state', pipeline.state],
          ['recorded', pipeline.recordedAt],
        ]),
      )
    }

    /** A heading and a list of nodes, each with a link and why it is listed; none: nothing. */
    function nodeList(title, nodes, reason) {
      if (nodes.length === 0) return
      const items = nodes.map((n) =>
        h('li', null, [nodeLink(n.name), h('div', 'reason', reason(n))]),
      )
      panel.append(h('h3', null, title), h('ul', 'list', items))
    }

    function hashOf(name) {
      return `#${encodeURIComponent(pipeline.id)}/${encodeURIComponent(name)}`
    }

    /** A node named in the panel: opens it and brings it into view. */
    function nodeLink(name) {
      const button = h('button', 'link', name)
      button.addEventListener('click', () => {
        selectNode(name, true)
        history.replaceState(null, '', hashOf(name))
      })
      return button
    }

    function renderNode(node) {
      panel.replaceChildren()
      panel.append(h('h2', null, node.name))
      const headline = h('div', 'headline', [h('span', `badge ${node.status}`, node.status)])
      if (node.blockedBy)
        headline.append(h('span', 'hint', 'blocked by '), nodeLink(node.blockedBy))
      panel.append(headline)

      const failedExecution = node.failure
        ? node.executions.find((e) => e.id === node.failure.executionId)
        : null
      if (node.failure) {
        const box = h('div', 'failure', [
          h('p', 'message', `${node.failure.outcome}: ${firstLine(node.failure.message)}`),
        ])
        const rest = node.failure.message.split('\n').slice(1).join('\n').trim()
        if (rest) box.append(h('pre', null, rest))
        const [label, evidence] = failedExecution?.traceback
          ? ['Traceback', failedExecution.traceback]
          : ['stderr (last lines)', failedExecution?.stderrTail]
        if (evidence) box.append(h('div', 'hint', label), h('pre', 'traceback', evidence))
        panel.append(box)
      }

      const checks = node.executions.flatMap((e) =>
        e.dataChecks.filter((c) => c.violations.length > 0),
      )
      if (checks.length > 0) {
        part(
          'Data contract',
          ...checks.map((c) =>
            h('div', 'failure', [
              h('p', 'message', `${c.direction} ${c.port}${c.from ? ` (from ${c.from})` : ''}`),
              h(
                'ul',
                null,
                c.violations.map((v) => h('li', null, v)),
              ),
            ]),
          ),
        )
      }

      part('Outputs', ...node.outputs.map(renderOutput))
      if (node.outputs.length === 0) {
        const none = node.status === 'blocked' ? 'Not run: no outputs.' : 'No outputs recorded.'
        panel.append(h('p', 'hint', none))
      }

      part(
        'Executions',
        table(
          ['tier', 'outcome', 'exit', 'duration', 'run folder'],
          node.executions.map((e) => [
            e.tiers.join(', '),
            h(
              'span',
              `badge ${e.cached ? 'cached' : e.status}`,
              e.outcome + (e.cached ? ` (cached from run ${e.cachedFrom})` : ''),
            ),
            e.exitCode === null ? e.signal || '—' : String(e.exitCode),
            seconds(e.durationMs),
            h('span', 'mono', e.executionDir),
          ]),
        ),
      )
      node.executions.forEach((e) => {
        if (e.stdoutTail || e.stderrTail || e.logs.stdout || e.logs.stderr) {
          const details = h('details', null, [
            h('summary', null, `Logs of the ${e.tiers.join(', ')} execution`),
          ])
          if (e.stderrTail)
            details.append(h('div', 'hint', 'stderr (last lines)'), h('pre', null, e.stderrTail))
          if (e.stdoutTail)
            details.append(h('div', 'hint', 'stdout (last lines)'), h('pre', null, e.stdoutTail))
          const files = [e.logs.stdout, e.logs.stderr].filter(Boolean)
          if (files.length > 0)
            details.append(h('div', 'hint mono', `full logs: ${files.join('  ')}`))
          panel.append(details)
        }
      })

      if (!node.spec) {
        part('Spec', h('p', 'hint', 'No spec was recorded for this node.'))
      } else {
        const s = node.spec
        part(
          'Spec',
          kv([
            ['script', s.scriptPath || s.scriptName],
            ['runner', s.runner || '—'],
          ]),
        )
        const wired = new Map()
        for (const e of node.executions) {
          for (const input of e.inputs) if (input.from) wired.set(input.name, input.from)
        }
        subsection(
          'inputs',
          Object.keys(s.inputPaths)
            .concat(Array.from(wired.keys()))
            .filter((name, i, all) => all.indexOf(name) === i)
            .map((name) => {
              const path = s.inputPaths[name] || ''
              return [
                name,
                wired.has(name) ? `${path}${path ? '  ' : ''}← ${wired.get(name)}` : path,
              ]
            }),
        )
        subsection('outputs', entries(s.outputPaths))
        subsection('environment', entries(s.environVars))
        subsection(
          'job arguments',
          Object.keys(s.jobArgs).map((k) => {
            const v = s.jobArgs[k]
            return [k, typeof v === 'string' ? v : JSON.stringify(v)]
          }),
        )
      }
      const ins = pipeline.edges.filter((e) => e.to === node.name)
      const outs = pipeline.edges.filter((e) => e.from === node.name)
      if (ins.length + outs.length > 0) {
        part(
          'Edges',
          h(
            'ul',
            'list',
            ins.concat(outs).map((e) => {
              const other = e.to === node.name ? e.from : e.to
              return h('li', null, [
                h('span', `badge ${e.status}`, e.status),
                ' ',
                e.to === node.name ? 'from ' : 'to ',
                nodeLink(other),
              ])
            }),
          ),
        )
      }
      panel.scrollTop = 0
    }

    /** A section of the panel: its heading, then what it holds. */
    function part(title, ...content) {
      panel.append(h('h3', null, title), ...content)
    }

    function subsection(title, rows) {
      if (rows.length > 0) panel.append(h('div', 'hint', title), kv(rows))
    }

    function renderOutput(output) {
      const files =
        output.kind === 'file'
          ? 'file'
          : `${output.fileCount} file${output.fileCount === 1 ? '' : 's'}`
      const size = output.produced
        ? `${files}, ${bytes(output.bytes)}`
        : output.kind === 'missing'
          ? 'not written'
          : `empty ${output.kind}`
      const box = h('div', 'output', [
        h('div', 'title', [
          h(
            'span',
            `badge ${output.produced ? 'passed' : 'failed'}`,
            output.produced ? 'produced' : 'missing',
          ),
          output.name,
          h('span', 'size', size),
        ]),
        h('div', 'mono hint', output.path),
      ])
      if (output.files.length > 1 || (output.files.length === 1 && output.files[0].path)) {
        const details = h('details', null, [h('summary', null, `Files (${output.fileCount})`)])
        details.append(
          table(
            ['file', 'size'],
            output.files.map((f) => [
              h('span', 'mono', f.path || '(the output file)'),
              bytes(f.bytes),
            ]),
          ),
        )
        box.append(details)
      }
      const data = output.data
      if (data && data.kind === 'table') {
        const splits = data.splits
          ? ` (${Object.keys(data.splits)
              .map((k) => `${k} ${data.splits[k]}`)
              .join(', ')})`
          : ''
        box.append(
          h(
            'div',
            'hint',
            `${data.rows} rows${splits}, ${data.columns.length} columns · ${data.formats.join(', ')}${data.gzip ? ' (gzip)' : ''}`,
          ),
        )
        box.append(
          h('div', 'scroll', [
            table(
              ['column', 'type', 'nulls', 'distinct', 'min', 'max'],
              data.columns.map((c) => [
                h('span', 'mono', c.name),
                c.type || '—',
                String(c.nulls),
                c.distinct + (c.distinctCapped ? '+' : ''),
                c.min === undefined ? '—' : String(c.min),
                c.max === undefined ? '—' : String(c.max),
              ]),
              'data summary-table',
            ),
          ]),
        )
        if (output.rows.length > 0) {
          const columns = data.columns.map((c) => c.name)
          box.append(
            h('div', 'hint', `First ${output.rows.length} rows`),
            h('div', 'scroll', [
              table(
                columns,
                output.rows.map((row) =>
                  columns.map((c) => {
                    const v = row[c]
                    return v === null || v === undefined ? '' : String(v)
                  }),
                ),
                'data rows-table',
              ),
            ]),
          )
        }
      } else if (data && data.kind === 'document') {
        box.append(
          h('div', 'hint', 'JSON document'),
          table(
            ['key', 'type', 'value'],
            Object.keys(data.keys).map((k) => {
              const key = data.keys[k]
              return [
                h('span', 'mono', k),
                key.type || '—',
                key.value === null ? 'null' : String(key.value),
              ]
            }),
            'data document-table',
          ),
        )
      } else if (data && data.kind === 'unreadable') {
        box.append(h('div', 'hint', `Not previewed: ${data.reason}`))
      }
      return box
    }

    function renderEdge(edge) {
      panel.replaceChildren()
      panel.append(
        h('h2', null, `${edge.from} → ${edge.to}`),
        h('div', 'headline', [h('span', `badge ${edge.status}`, edge.status), edge.outcome || '']),
      )
      if (edge.message)
        panel.append(h('pre', edge.status === 'failed' ? 'traceback' : null, edge.message))
      if (edge.ports.length > 0) {
        part(
          'Ports',
          table(
            [`output of ${edge.from}`, `input of ${edge.to}`, 'paired by'],
            edge.ports.map((p) => [p.output, p.input, p.via]),
          ),
        )
      }
      const ends = [edge.from, edge.to].map((n) => h('li', null, [nodeLink(n)]))
      part('Nodes', h('ul', 'list', ends))
    }

    return { fit, selectNode, overview }
  }

  // Small DOM helpers: strings always become text nodes.
  function h(tag, className, children) {
    const el = document.createElement(tag)
    if (className) el.className = className
    // append() makes a text node of a string, never HTML.
    if (children !== undefined && children !== null) el.append(...[].concat(children))
    return el
  }
  function table(headers, rows, className) {
    const head = h(
      'tr',
      null,
      headers.map((x) => h('th', null, String(x))),
    )
    const body = rows.map((row) =>
      h(
        'tr',
        null,
        row.map((cell) => {
          const td = h('td', null, typeof cell === 'string' ? cell : [cell])
          if (typeof cell === 'string' && cell !== '' && !isNaN(Number(cell))) td.className = 'num'
          return td
        }),
      ),
    )
    return h('table', className || null, [h('thead', null, [head]), h('tbody', null, body)])
  }
  function kv(rows) {
    return h('table', 'kv', [
      h(
        'tbody',
        null,
        rows.map((row) => h('tr', null, [h('td', null, row[0]), h('td', 'mono', row[1])])),
      ),
    ])
  }
  function entries(object) {
    return Object.keys(object).map((k) => [k, String(object[k])])
  }
  function firstLine(text) {
    return String(text).trim().split('\n')[0]
  }
  function seconds(ms) {
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
  }
  function bytes(n) {
    if (n < 1000) return `${n} B`
    const units = ['kB', 'MB', 'GB', 'TB']
    let value = n
    let unit = -1
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000
      unit++
    }
    return `${value.toFixed(1)} ${units[unit]}`
  }
})()
