// pipetest report: the page's behaviour, inlined into one self-contained HTML file (see
// src/report/html.ts). The DAG arrives as positioned SVG; this script adds selection, the
// details panel, zoom and pan, search and the failed-only filter. User data (names, paths,
// logs) reaches the panel's markup only escaped, by `markup`.
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
      // The node is in view already: select it without moving the camera.
      const open = () =>
        selectNode(pipeline.nodes[Number(el.getAttribute('data-node'))].name, false)
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
    // A node named in the panel opens and comes into view (its address opens it from outside).
    panel.addEventListener('click', (event) => {
      const link = event.target.closest('a.link')
      if (!link) return
      event.preventDefault()
      selectNode(link.getAttribute('data-node'), true)
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
      // The address names the selection, so a link to another node always changes it.
      history.replaceState(null, '', hashOf(name))
      renderNode(pipeline.nodes[index])
    }

    function selectEdge(index) {
      mark(-1, index)
      renderEdge(pipeline.edges[index])
    }

    /** Fills the panel with `parts` (markup; false and null leave nothing). */
    function fill(...parts) {
      panel.innerHTML = markup`${parts}`.html
      panel.scrollTop = 0
    }

    function overview() {
      mark(-1, -1)
      const failed = pipeline.nodes.filter((n) => n.status === 'failed')
      const blocked = pipeline.nodes.filter((n) => n.status === 'blocked')
      fill(
        markup`<h2>${pipeline.name}</h2>`,
        failed.length === 0 &&
          markup`<p class="hint">Every node passed. Click a node to see its spec, executions, logs and outputs.</p>`,
        nodeList('Failed nodes', failed, (n) =>
          firstLine(n.failure ? n.failure.message : n.status),
        ),
        nodeList('Blocked (not run)', blocked, (n) =>
          n.blockedBy ? `blocked by ${n.blockedBy}` : 'blocked',
        ),
        part(
          'Run',
          kv([
            ['run folder', pipeline.runFolder],
            ['DAG file', pipeline.dagFile || '—'],
            ['state', pipeline.state],
            ['recorded', pipeline.recordedAt],
          ]),
        ),
      )
    }

    /** A heading and a list of nodes, each with a link and why it is listed; none: nothing. */
    function nodeList(title, nodes, reason) {
      const items = nodes.map(
        (n) => markup`<li>${nodeLink(n.name)}<div class="reason">${reason(n)}</div></li>`,
      )
      return nodes.length > 0 && part(title, markup`<ul class="list">${items}</ul>`)
    }

    function hashOf(name) {
      return `#${encodeURIComponent(pipeline.id)}/${encodeURIComponent(name)}`
    }

    /** A node named in the panel: a link to its address (clicked: see the panel's listener). */
    function nodeLink(name) {
      return markup`<a class="link" href="${hashOf(name)}" data-node="${name}">${name}</a>`
    }

    function renderNode(node) {
      const failure = node.failure
      const failed = failure && node.executions.find((e) => e.id === failure.executionId)
      const [label, evidence] =
        failed && failed.traceback
          ? ['Traceback', failed.traceback]
          : ['stderr (last lines)', failed && failed.stderrTail]
      const rest = failure && failure.message.split('\n').slice(1).join('\n').trim()
      const checks = node.executions.flatMap((e) =>
        e.dataChecks.filter((c) => c.violations.length > 0),
      )
      const none = node.status === 'blocked' ? 'Not run: no outputs.' : 'No outputs recorded.'
      const edges = pipeline.edges
        .filter((e) => e.to === node.name)
        .concat(pipeline.edges.filter((e) => e.from === node.name))
      fill(
        markup`<h2>${node.name}</h2><div class="headline">${badge(node.status)}${node.blockedBy && markup`<span class="hint">blocked by </span>${nodeLink(node.blockedBy)}`}</div>`,
        failure &&
          markup`<div class="failure"><p class="message">${failure.outcome}: ${firstLine(failure.message)}</p>${rest && markup`<pre>${rest}</pre>`}${evidence && markup`<div class="hint">${label}</div><pre class="traceback">${evidence}</pre>`}</div>`,
        checks.length > 0 &&
          part(
            'Data contract',
            checks.map(
              (c) =>
                markup`<div class="failure"><p class="message">${c.direction} ${c.port}${c.from ? ` (from ${c.from})` : ''}</p><ul>${c.violations.map((v) => markup`<li>${v}</li>`)}</ul></div>`,
            ),
          ),
        part('Outputs', node.outputs.map(renderOutput)),
        node.outputs.length === 0 && markup`<p class="hint">${none}</p>`,
        part(
          'Executions',
          table(
            ['tier', 'outcome', 'exit', 'duration', 'run folder'],
            node.executions.map((e) => [
              e.tiers.join(', '),
              badge(
                e.cached ? 'cached' : e.status,
                e.outcome + (e.cached ? ` (cached from run ${e.cachedFrom})` : ''),
              ),
              e.exitCode === null ? e.signal || '—' : String(e.exitCode),
              seconds(e.durationMs),
              markup`<span class="mono">${e.executionDir}</span>`,
            ]),
          ),
        ),
        node.executions.map(renderLogs),
        renderSpec(node),
        edges.length > 0 &&
          part(
            'Edges',
            markup`<ul class="list">${edges.map((e) => markup`<li>${badge(e.status)} ${e.to === node.name ? 'from ' : 'to '}${nodeLink(e.to === node.name ? e.from : e.to)}</li>`)}</ul>`,
          ),
      )
    }

    function renderLogs(e) {
      const files = [e.logs.stdout, e.logs.stderr].filter(Boolean)
      if (!e.stdoutTail && !e.stderrTail && files.length === 0) return null
      return markup`<details><summary>Logs of the ${e.tiers.join(', ')} execution</summary>${e.stderrTail && markup`<div class="hint">stderr (last lines)</div><pre>${e.stderrTail}</pre>`}${e.stdoutTail && markup`<div class="hint">stdout (last lines)</div><pre>${e.stdoutTail}</pre>`}${files.length > 0 && markup`<div class="hint mono">full logs: ${files.join('  ')}</div>`}</details>`
    }

    function renderSpec(node) {
      const s = node.spec
      if (!s) return part('Spec', markup`<p class="hint">No spec was recorded for this node.</p>`)
      const wired = new Map()
      for (const e of node.executions) {
        for (const input of e.inputs) if (input.from) wired.set(input.name, input.from)
      }
      const inputs = [...new Set(Object.keys(s.inputPaths).concat([...wired.keys()]))].map(
        (name) => {
          const path = s.inputPaths[name] || ''
          return [name, wired.has(name) ? `${path}${path ? '  ' : ''}← ${wired.get(name)}` : path]
        },
      )
      const jobArgs = Object.entries(s.jobArgs).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : JSON.stringify(v),
      ])
      return [
        part(
          'Spec',
          kv([
            ['script', s.scriptPath || s.scriptName],
            ['runner', s.runner || '—'],
          ]),
        ),
        subsection('inputs', inputs),
        subsection('outputs', Object.entries(s.outputPaths)),
        subsection('environment', Object.entries(s.environVars)),
        subsection('job arguments', jobArgs),
      ]
    }

    /** A section of the panel: its heading, then what it holds. */
    function part(title, content) {
      return markup`<h3>${title}</h3>${content}`
    }

    function subsection(title, rows) {
      return rows.length > 0 && markup`<div class="hint">${title}</div>${kv(rows)}`
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
      const listed = output.files.length > 1 || (output.files.length === 1 && output.files[0].path)
      return markup`<div class="output"><div class="title">${badge(output.produced ? 'passed' : 'failed', output.produced ? 'produced' : 'missing')}${output.name}<span class="size">${size}</span></div><div class="mono hint">${output.path}</div>${
        listed &&
        markup`<details><summary>Files (${output.fileCount})</summary>${table(
          ['file', 'size'],
          output.files.map((f) => [
            markup`<span class="mono">${f.path || '(the output file)'}</span>`,
            bytes(f.bytes),
          ]),
        )}</details>`
      }${preview(output)}</div>`
    }

    function preview(output) {
      const data = output.data
      if (data && data.kind === 'table') {
        const splits = data.splits
          ? ` (${Object.entries(data.splits)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ')})`
          : ''
        const columns = data.columns.map((c) => c.name)
        const summary = table(
          ['column', 'type', 'nulls', 'distinct', 'min', 'max'],
          data.columns.map((c) => [
            markup`<span class="mono">${c.name}</span>`,
            c.type || '—',
            String(c.nulls),
            c.distinct + (c.distinctCapped ? '+' : ''),
            c.min === undefined ? '—' : String(c.min),
            c.max === undefined ? '—' : String(c.max),
          ]),
          'data summary-table',
        )
        const rows = table(
          columns,
          output.rows.map((row) => columns.map((c) => (row[c] == null ? '' : String(row[c])))),
          'data rows-table',
        )
        return markup`<div class="hint">${data.rows} rows${splits}, ${data.columns.length} columns · ${data.formats.join(', ')}${data.gzip ? ' (gzip)' : ''}</div><div class="scroll">${summary}</div>${output.rows.length > 0 && markup`<div class="hint">First ${output.rows.length} rows</div><div class="scroll">${rows}</div>`}`
      }
      if (data && data.kind === 'document') {
        const keys = Object.entries(data.keys).map(([k, key]) => [
          markup`<span class="mono">${k}</span>`,
          key.type || '—',
          key.value === null ? 'null' : String(key.value),
        ])
        return markup`<div class="hint">JSON document</div>${table(['key', 'type', 'value'], keys, 'data document-table')}`
      }
      return (
        data &&
        data.kind === 'unreadable' &&
        markup`<div class="hint">Not previewed: ${data.reason}</div>`
      )
    }

    function renderEdge(edge) {
      fill(
        markup`<h2>${edge.from} → ${edge.to}</h2><div class="headline">${badge(edge.status)}${edge.outcome || ''}</div>`,
        edge.message &&
          markup`<pre class="${edge.status === 'failed' ? 'traceback' : ''}">${edge.message}</pre>`,
        edge.ports.length > 0 &&
          part(
            'Ports',
            table(
              [`output of ${edge.from}`, `input of ${edge.to}`, 'paired by'],
              edge.ports.map((p) => [p.output, p.input, p.via]),
            ),
          ),
        part(
          'Nodes',
          markup`<ul class="list">${[edge.from, edge.to].map((n) => markup`<li>${nodeLink(n)}</li>`)}</ul>`,
        ),
      )
    }

    return { fit, selectNode, overview }
  }

  /**
   * Markup from a template: every value in it is escaped (user data never becomes markup),
   * except markup made here; arrays are joined, and false, null and undefined leave nothing.
   */
  function markup(strings, ...values) {
    const text = (value) =>
      value === false || value === null || value === undefined
        ? ''
        : Array.isArray(value)
          ? value.map(text).join('')
          : value instanceof Markup
            ? value.html
            : String(value).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
    return new Markup(strings.reduce((out, part, i) => out + text(values[i - 1]) + part))
  }
  function Markup(html) {
    this.html = html
  }
  function badge(status, text = status) {
    return markup`<span class="badge ${status}">${text}</span>`
  }
  function table(headers, rows, className = '') {
    const cell = (x) =>
      markup`<td class="${typeof x === 'string' && x !== '' && !isNaN(Number(x)) ? 'num' : ''}">${x}</td>`
    return markup`<table class="${className}"><thead><tr>${headers.map((x) => markup`<th>${x}</th>`)}</tr></thead><tbody>${rows.map((row) => markup`<tr>${row.map(cell)}</tr>`)}</tbody></table>`
  }
  function kv(rows) {
    return markup`<table class="kv"><tbody>${rows.map(([k, v]) => markup`<tr><td>${k}</td><td class="mono">${v}</td></tr>`)}</tbody></table>`
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
