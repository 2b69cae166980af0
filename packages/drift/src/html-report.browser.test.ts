import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentFlow } from './agent-flow.fixture.js'
import { analyzeCalls } from './analyze-calls.js'
import { runCanonicalCases } from './canonical-cases.js'
import { renderHtmlReport } from './html-report.js'

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const hasChromium = existsSync(executablePath)
if (!hasChromium) {
  console.warn(
    `SKIPPED html-report.browser.test: no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`
  )
}

const outDir = fileURLToPath(new URL('../out/', import.meta.url))

describe.skipIf(!hasChromium)('HTML report in headless Chromium', () => {
  let browser: Browser | undefined

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('shows the highlighted drift tokens with their ids and renders to a screenshot', async () => {
    const tokenizer = loadQwen3Tokenizer()
    const html = renderHtmlReport({
      tokenizer: tokenizer.name,
      cases: await runCanonicalCases(tokenizer),
      analysis: await analyzeCalls(agentFlow(tokenizer), tokenizer),
    })
    mkdirSync(outDir, { recursive: true })
    const file = `${outDir}report.html`
    writeFileSync(file, html)

    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } })
    const requests: string[] = []
    page.on('request', (r) => requests.push(r.url()))
    await page.goto(pathToFileURL(file).href)

    const blog = page.locator('tr[data-case="non-canonical-split"] .tok.drift')
    expect(await blog.evaluateAll((els) => els.map((e) => e.getAttribute('title')))).toEqual([
      'id 39 · "H" · sampled (mask 1)',
      'id 83722 · "AVING" · sampled (mask 1)',
      'id 72239 · "HAV" · re-encoded',
      'id 1718 · "ING" · re-encoded',
    ])
    expect(await page.locator('.call .tok.gen.drift').count()).toBeGreaterThanOrEqual(4)
    expect(await page.locator('.call .tok.diverge').count()).toBeGreaterThan(0)
    const highlighted = await page
      .locator('.tok.drift')
      .first()
      .evaluate((e) => getComputedStyle(e).borderTopColor)
    expect(highlighted).toBe('rgb(217, 58, 58)')
    expect(await page.locator('header.verdict.bad .headline').textContent()).toContain('Record the ids')
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([])

    await page.screenshot({ path: `${outDir}report.png`, fullPage: true })
    expect(existsSync(`${outDir}report.png`)).toBe(true)
    await page.close()
  })
})
