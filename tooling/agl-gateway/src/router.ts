/**
 * Starlette-style routing: templates like `/api/rollouts/{rollout_id}` (`[^/]+`) and `{path:path}` (`.*`) matched
 * against the percent-decoded path, in declaration order. A path that matches only with another method answers
 * 405 with that route's `Allow`; no match at all is 404.
 */
export interface Route<C> {
  method: string
  template: string
  handler: (ctx: C, params: Record<string, string>) => Promise<void> | void
}

interface CompiledRoute<C> extends Route<C> {
  regex: RegExp
  names: string[]
}

export type RouteMatch<C> =
  | { kind: 'found'; route: Route<C>; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string }
  | { kind: 'not-found' }

export class Router<C> {
  private readonly routes: CompiledRoute<C>[] = []

  add(method: string, template: string, handler: Route<C>['handler']): this {
    const names: string[] = []
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)(:path)?\}/g, (_m, name, path) => {
      names.push(name as string)
      return path ? '(.*)' : '([^/]+)'
    })
    this.routes.push({ method, template, handler, regex: new RegExp(`^${source}$`), names })
    return this
  }

  match(method: string, path: string): RouteMatch<C> {
    let partial: CompiledRoute<C> | undefined
    for (const route of this.routes) {
      const m = route.regex.exec(path)
      if (!m) continue
      if (route.method !== method) {
        partial ??= route
        continue
      }
      const params: Record<string, string> = {}
      route.names.forEach((name, i) => {
        params[name] = m[i + 1] ?? ''
      })
      return { kind: 'found', route, params }
    }
    if (partial) return { kind: 'method-not-allowed', allow: partial.method }
    return { kind: 'not-found' }
  }
}

/** Percent-decoded path without the query, as ASGI servers put it in `scope["path"]`. */
export function decodePath(rawUrl: string): string {
  const path = rawUrl.split('?')[0] ?? '/'
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}
