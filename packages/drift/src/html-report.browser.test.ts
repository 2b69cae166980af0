import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDriftCli } from './scan-command.js'
import { syntheticCalls, syntheticTitoJsonl } from './synthetic-calls.js'

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const hasChromium = existsSync(executablePath)
if (!hasChromium) {
  console.warn(
    `SKIPPED html-report.browser.test: no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`
  )
}

const outDir = fileURLToPath(new URL('../out/', import.meta.url))
const demoDir = fileURLToPath(new URL('../../../examples/drift-demo/', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'drift-html-'))

/** `strands-vllm-drift scan FILE --html OUT` in this process: the report the CLI writes is what is checked. */
async function scanToHtml(file: string, html: string): Promise<string> {
  let stdout = ''
  let stderr = ''
  const code = await runDriftCli(['scan', file, '--html', html], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: { NO_COLOR: '1' },
  })
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
  return stdout
}

/** Every chip class combination drawn in the page's token strips must have its own legend entry. */
async function chipClassesWithoutLegend(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const key = (e: Element) =>
      [...e.classList]
        .filter((c) => c !== 'tok')
        .sort()
        .join(' ')
    const legend = new Set([...document.querySelectorAll('.legend .tok')].map(key))
    const used = new Set([...document.querySelectorAll('.strip .tok')].map(key))
    return [...used].filter((k) => !legend.has(k))
  })
}

describe.skipIf(!hasChromium)('HTML report in headless Chromium', () => {
  let browser: Browser | undefined

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true })
    browser = await chromium.launch({
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
  })

  afterAll(async () => {
    await browser?.close()
    rmSync(work, { recursive: true, force: true })
  })

  async function open(file: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 1000 } })
    const requests: string[] = []
    const errors: string[] = []
    page.on('request', (r) => requests.push(r.url()))
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
    await page.goto(pathToFileURL(file).href)
    await page.waitForSelector('html[data-ready="1"]')
    return { page, requests, errors }
  }

  it('renders the demo JSONL: verdict, charts, legend, every trajectory with its loss mask, per-call numbers', async () => {
    // the demo as a user runs it, writing its files into a temporary folder
    const reportPath = join(work, 'demo', 'drift-report.html')
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: demoDir,
      env: { ...process.env, VLLM_BASE_URL: '', NO_COLOR: '1', DRIFT_REPORT_PATH: reportPath },
    })
    const jsonl = join(work, 'demo', 'calls.jsonl')
    const html = join(outDir, 'report-demo.html')
    await scanToHtml(jsonl, html)
    const { page, requests, errors } = await open(html)

    expect(await page.locator('header.verdict.bad[data-basis="data"] .headline').textContent()).toContain(
      'Your data drifts'
    )
    expect(await page.locator('[data-chart="causes"] rect').count()).toBeGreaterThanOrEqual(3)
    expect(await page.locator('[data-chart="positions"] [data-series="bpe"] rect[height]').count()).toBe(11)
    // a small report opens everything: 3 trajectories (the demo splits twice), 4 calls
    expect(await page.locator('details.traj[open]').count()).toBe(3)
    expect(await page.locator('#calls tbody tr').count()).toBe(4)
    const strip = page.locator('[data-trajectory-strip]')
    expect(await strip.count()).toBe(3)
    // the blog case, sampled in the answer (call 2) and drawn in its trajectory as drifted, mask 1
    const drifted = page.locator('[data-trajectory-strip] .tok.gen.drift')
    expect(
      await drifted.evaluateAll((els) => els.map((e) => e.getAttribute('title')?.split(' · ').slice(0, 3)))
    ).toEqual([
      ['id 39', '"H"', 'sampled (mask 1)'],
      ['id 83722', '"AVING"', 'sampled (mask 1)'],
    ])
    // what the next prompts rewrite: the compact tool-call JSON (sampled) and the dropped <think> (context)
    expect(await page.locator('[data-trajectory-strip] .tok.gen.rw').count()).toBeGreaterThan(0)
    expect(await page.locator('[data-trajectory-strip] .tok.ctx.rw').count()).toBeGreaterThan(0)
    expect(await page.locator('.call-detail .tok.diverge').count()).toBeGreaterThan(0)
    // call 2's BPE drift is drawn once, in trajectory 1 (its own); trajectory 0 shows only the break it ends with
    expect(await page.locator('#trajectory-0 .call-detail h3').allTextContents()).toEqual([
      'call 2 · prompt stops extending call 1 at token 269: tool_call_reserialized',
    ])
    expect(await page.locator('#calls tbody tr').first().textContent()).toMatch(/call 0.*exact.*tool_calls/)
    expect(await page.locator('#demo-cases tr[data-case="non-canonical-split"] .tok.drift').count()).toBe(4)
    // fold chips unfold into context tokens
    const before = await page.locator('[data-trajectory-strip] .tok').count()
    await page.locator('[data-trajectory-strip] .tok.fold').first().click()
    expect(await page.locator('[data-trajectory-strip] .tok').count()).toBeGreaterThan(before)
    expect(await chipClassesWithoutLegend(page)).toEqual([])
    expect(
      await page
        .locator('.tok.drift')
        .first()
        .evaluate((e) => getComputedStyle(e).borderTopColor)
    ).toBe('rgb(217, 58, 58)')
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([])
    expect(errors).toEqual([])
    await page.screenshot({ path: join(outDir, 'report-demo.png'), fullPage: true })
    await page.close()
  })

  it('stays small and usable at 2,000 calls: collapsed sections, chips drawn on open, size in the page', async () => {
    const tokenizer = loadQwen3Tokenizer()
    const calls = syntheticCalls(tokenizer, {
      rollouts: 400,
      turnsPerRollout: 5,
      tokensPerResponse: 80,
      splitRate: 0.03,
      seed: 7,
    })
    expect(calls).toHaveLength(2000)
    const jsonl = join(work, 'calls-2000.jsonl')
    writeFileSync(jsonl, syntheticTitoJsonl(calls))
    const html = join(outDir, 'report-2000.html')
    const stdout = await scanToHtml(jsonl, html)
    const bytes = statSync(html).size
    console.log(`2,000-call report: ${bytes} bytes (${(bytes / 1e6).toFixed(2)} MB)`)
    expect(bytes).toBeLessThan(3_000_000)
    const stated = /wrote HTML report .* \(([\d.]+) MB; ([\d,]+) trajectories, 2,000 calls\)/.exec(stdout)
    expect(Number(stated?.[1])).toBe(Number((bytes / 1e6).toFixed(2)))
    expect(readFileSync(html, 'utf8')).toContain(
      `this page: ${stated?.[1]} MB · ${stated?.[2]} trajectories, 2,000 calls`
    )

    const { page, requests, errors } = await open(html)
    const trajectories = Number(stated?.[2]?.replace(/,/g, ''))
    expect(await page.locator('details.traj').count()).toBe(trajectories)
    // nothing is drawn until a section opens
    expect(await page.locator('details.traj[open]').count()).toBe(0)
    expect(await page.locator('[data-trajectory-strip]').count()).toBe(0)
    expect(await page.locator('#calls tbody tr').count()).toBe(0)
    // the filter keeps the trajectories with drift, rewrites or a split
    await page.selectOption('#trajectory-filter', 'problem')
    const shown = await page.locator('details.traj:not([hidden])').count()
    expect(shown).toBeGreaterThan(0)
    expect(shown).toBeLessThan(trajectories)
    expect(await page.locator('#trajectory-count').textContent()).toBe(`${shown} of ${trajectories} shown`)
    // opening one draws its calls and chips only
    const first = page.locator('details.traj:not([hidden])').first()
    await first.locator('summary').click()
    expect(await page.locator('[data-trajectory-strip]').count()).toBe(1)
    expect(await first.locator('.tok.gen.drift').count()).toBeGreaterThan(0)
    expect(await first.locator('table.calls tbody tr').count()).toBeGreaterThan(0)
    await page.locator('#calls-section > summary').click()
    expect(await page.locator('#calls tbody tr').count()).toBe(2000)
    expect(await chipClassesWithoutLegend(page)).toEqual([])
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([])
    expect(errors).toEqual([])
    await page.locator('#calls-section > summary').click()
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.screenshot({ path: join(outDir, 'report-2000.png'), fullPage: false })
    await first.screenshot({ path: join(outDir, 'report-2000-trajectory.png') })
    await page.close()
  })
})
