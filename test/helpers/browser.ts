import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';

/** Debian's headless-capable Chromium (`apt-get install chromium`); `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserUnavailable(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `${CHROMIUM_PATH} is missing: install it (Debian: \`apt-get install chromium\`) to run the Web UI browser test`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Where browser tests write their screenshots: a scratch directory, so `npm test` leaves the work
 * tree as it found it. `npm run screenshots` sets `SCREENSHOT_DIR=docs/images` to refresh the
 * committed ones.
 */
export function screenshotDir(): string {
  const dir = process.env.SCREENSHOT_DIR
    ? resolve(process.env.SCREENSHOT_DIR)
    : join(tmpdir(), 'token-revocation-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Readable screenshots; wide enough for the list with the revocation columns. */
export const VIEWPORT = { width: 1400, height: 900 };

/**
 * The workflow list's columns: the UI keeps them per namespace in local storage
 * (`namespace-workflow-table-columns`, Web UI 2.42). A custom search attribute is a column by its name.
 */
export async function setListColumns(page: Page, namespace: string, columns: string[]): Promise<void> {
  await page.addInitScript(
    ({ ns, labels }) => {
      localStorage.setItem(
        'namespace-workflow-table-columns',
        JSON.stringify({ [ns]: labels.map((label) => ({ label })) }),
      );
    },
    { ns: namespace, labels: columns },
  );
}

export function workflowListUrl(uiUrl: string, namespace: string, query: string): string {
  return `${uiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`;
}

export function workflowUrl(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
}

/**
 * Waits until the element's visible text matches, or fails naming what it saw last. The UI loads
 * lists, queries and decoded payloads asynchronously; this is a wait, not a timing assertion.
 */
export async function waitForText(
  what: string,
  locator: Locator,
  expected: string | RegExp,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await locator.innerText({ timeout: 5_000 }).catch(() => last);
    if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`${what}: expected ${String(expected)}, the page shows:\n${last.slice(0, 2_000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The row of the workflow list that links to `workflowId`. */
export function listRow(page: Page, workflowId: string): Locator {
  return page.locator('tr', {
    has: page.locator(`a[href*="/workflows/${encodeURIComponent(workflowId)}/"]`),
  });
}

/**
 * The "User Metadata" tab of a workflow (Web UI 2.42): Summary, Details and Current Details, each a
 * markdown render in its own iframe under its heading.
 */
export function userMetadata(page: Page): {
  summary: FrameLocator;
  details: FrameLocator;
  current: FrameLocator;
} {
  const under = (heading: string) =>
    page.frameLocator(
      `xpath=//h3[normalize-space()="${heading}"]/ancestor::div[.//iframe][1]//iframe[@title="output"]`,
    );
  return { summary: under('Summary'), details: under('Details'), current: under('Current Details') };
}

/** Opens a workflow's User Metadata tab. */
export async function openUserMetadata(page: Page, uiUrl: string, namespace: string, workflowId: string) {
  await page.goto(workflowUrl(uiUrl, namespace, workflowId));
  await page.getByTestId('user-metadata-tab').click();
  await page.getByRole('heading', { name: 'Current Details' }).waitFor();
}
