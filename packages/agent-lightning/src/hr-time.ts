import type { HrTime } from '@opentelemetry/api'

/** Whether `a` is strictly earlier than `b`. */
export function hrTimeBefore(a: HrTime, b: HrTime): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])
}
