import { VLLMError, type VLLMLogger, type VLLMModel } from '@strands-vllm/model'
import { redact } from '@strands-vllm/model/internal'
import {
  TITO_CALL_SCHEMA,
  type TitoCallRecord,
  toTitoRecords,
  VLLMTokenRecorder,
  type VLLMTokenRecorderOptions,
} from '@strands-vllm/tito'
import { type AglEnvSource, type AglMode, type AglRolloutEnv, readAglEnv } from './agl-env.js'
import { type AglModelOptions, createAglModel } from './agl-model.js'
import { type AglRewardOptions, AglServerClient, type AglServerClientOptions } from './agl-server-client.js'
import type { AglEvent, AglJsonObject, AglJsonValue, AglRollout } from './agl-types.js'
import { describeAglFailure } from './describe-failure.js'
import { AglAuthError, AglCancelledError, AglConfigError, AglNotFoundError } from './errors.js'
import { aglExitCode, findError, SIGNAL_EXIT_CODES } from './exit-codes.js'

/** The event type `emitCalls` posts: the client-side records of every model call, for cross-checks. */
export const TITO_CALLS_EVENT = 'tito_calls'
/** The event type posted when a rollout fails (best effort), so the trainer sees why, not only an exit code. */
export const ROLLOUT_ERROR_EVENT = 'rollout_error'

/** What a rollout function is given. */
export interface AglRolloutContext<Input = AglJsonValue> {
  readonly rolloutId: string
  readonly attemptId: string
  readonly mode: AglMode
  readonly isTrain: boolean
  /** The rollout's `input` (through `parseInput` when given). */
  readonly input: Input
  /** The rollout as the server has it (config, metadata, status). */
  readonly rollout: AglRollout
  readonly env: AglRolloutEnv
  readonly client: AglServerClient
  /** Aborted on SIGTERM / SIGINT (Kubernetes deleting the Job, Ctrl-C): pass it to `agent.invoke(…, { cancelSignal })`. */
  readonly signal: AbortSignal
  /** A `VLLMModel` for the gateway (see `aglModelConfig`); `options` override the defaults. */
  createModel(options?: AglModelOptions): VLLMModel
  /** A `VLLMTokenRecorder` whose `rolloutId` is this rollout's (one per agent). */
  createRecorder(options?: VLLMTokenRecorderOptions): VLLMTokenRecorder
  /** Post the rollout's reward (`event_type: "reward"`, `data: {value, source, reason}`). */
  reward(value: number, options?: AglRewardOptions): Promise<AglEvent>
  /** Post a custom event. */
  emit(eventType: string, data?: AglJsonObject): Promise<AglEvent>
  /** Post the recorder's calls as canonical `tito-call/1` records (`tito_calls`), to compare with the gateway's. */
  emitCalls(calls: readonly TitoCallRecord[]): Promise<AglEvent>
  /** A line on the process log (stderr by default), prefixed with the rollout, the key redacted. */
  log(message: string): void
}

export interface AglRolloutLogger {
  info(message: string): void
  error(message: string): void
}

export interface RunAglRolloutOptions<Input> {
  /** Where the `AGL_*` variables are read. Default `process.env`. */
  env?: AglEnvSource
  /** Check and narrow the rollout's `input` (e.g. a zod schema's `parse`); a throw fails the rollout with exit 2. */
  parseInput?: (input: AglJsonValue) => Input
  /** End the process with the outcome's exit code once done. Default true; false only returns the outcome. */
  exit?: boolean
  /** Default: one line per event on stderr. */
  logger?: AglRolloutLogger
  /** Post a `rollout_error` event when the rollout fails (best effort). Default true. */
  reportErrors?: boolean
  /** Abort `signal` on SIGTERM / SIGINT (a second one exits at once). Default true. */
  handleSignals?: boolean
  client?: AglServerClientOptions
}

export interface AglRolloutOutcome {
  state: 'succeeded' | 'failed'
  exitCode: number
  /** What the rollout function threw (or the setup failure). */
  error: unknown
  /** The failure line that was logged (null on success). */
  message: string | null
  /** Every reward value posted. */
  rewards: number[]
  durationMs: number
}

const stderrLogger: AglRolloutLogger = {
  info: (message) => process.stderr.write(`${message}\n`),
  error: (message) => process.stderr.write(`${message}\n`),
}

/**
 * Run one Agent Lightning v1 rollout in this process, the way its controller expects: read `AGL_*`, fetch the
 * rollout, call `fn`, then exit 0 when it resolved and non-zero when anything failed (`AGL_EXIT_CODES`: 1 the
 * rollout failed, 2 misconfigured, 3 paused past the budget; 130/143 after SIGINT/SIGTERM). Failures are logged
 * as one line saying what to check, and posted as a `rollout_error` event; the key is never logged.
 *
 * ```ts
 * await runAglRollout(async (rollout) => {
 *   const agent = new Agent({ model: rollout.createModel(), plugins: [rollout.createRecorder()], printer: false })
 *   const result = await agent.invoke(String(rollout.input), { cancelSignal: rollout.signal })
 *   await rollout.reward(result.toString().includes('42') ? 1 : 0, { source: 'exact-match' })
 * })
 * ```
 */
export async function runAglRollout<Input = AglJsonValue>(
  fn: (rollout: AglRolloutContext<Input>) => Promise<void> | void,
  options: RunAglRolloutOptions<Input> = {}
): Promise<AglRolloutOutcome> {
  const started = Date.now()
  const logger = options.logger ?? stderrLogger
  const rewards: number[] = []
  const controller = new AbortController()
  let signalled: keyof typeof SIGNAL_EXIT_CODES | undefined
  let env: AglRolloutEnv | undefined
  let client: AglServerClient | undefined
  let prefix = '[agl]'
  const say = (level: keyof AglRolloutLogger, message: string): void =>
    logger[level](redact(`${prefix} ${message}`, env?.key))

  const onSignal = (name: keyof typeof SIGNAL_EXIT_CODES): void => {
    if (signalled) {
      say('error', `${name} again: exiting now`)
      process.exit(SIGNAL_EXIT_CODES[name])
    }
    signalled = name
    say('error', `${name}: cancelling the rollout`)
    controller.abort(new Error(`rollout cancelled by ${name}`))
  }
  const onTerm = (): void => onSignal('SIGTERM')
  const onInt = (): void => onSignal('SIGINT')
  if (options.handleSignals ?? true) {
    process.on('SIGTERM', onTerm)
    process.on('SIGINT', onInt)
  }

  let outcome: AglRolloutOutcome
  try {
    env = readAglEnv(options.env ?? process.env)
    prefix = `[agl] rollout ${env.rolloutId} attempt ${env.attemptId} (${env.mode})`
    const live = new AglServerClient(env, options.client)
    client = live
    const { rollout } = await live.getRollout()
    if (rollout.is_train !== (env.mode === 'train')) {
      say('info', `the rollout is ${rollout.is_train ? 'train' : 'val'} but its URL says ${env.mode}; the URL wins`)
    }
    let input: Input
    try {
      input = options.parseInput ? options.parseInput(rollout.input) : (rollout.input as Input)
    } catch (error) {
      throw new AglConfigError(`the rollout's input does not fit this rollout process: ${messageOf(error)}`)
    }
    const rolloutEnv = env
    const context: AglRolloutContext<Input> = {
      rolloutId: env.rolloutId,
      attemptId: env.attemptId,
      mode: env.mode,
      isTrain: env.mode === 'train',
      input,
      rollout,
      env,
      client: live,
      signal: controller.signal,
      // Pause notices and model warnings go to the rollout's log, prefixed like every other line.
      createModel: (modelOptions) => createAglModel(rolloutEnv, { logger: modelLogger(say), ...modelOptions }),
      createRecorder: (recorderOptions) =>
        new VLLMTokenRecorder({ rolloutId: rolloutEnv.rolloutId, ...recorderOptions }),
      reward: async (value, rewardOptions) => {
        // An agent stopped by the cancel signal returns normally ("Cancelled by user"): its score is no result.
        if (signalled) throw cancelled(signalled, 'no reward is posted for a cancelled rollout')
        const event = await live.postReward(value, rewardOptions)
        rewards.push(value)
        return event
      },
      emit: (eventType, data) => live.postEvent(eventType, data),
      emitCalls: (calls) =>
        live.postEvent(TITO_CALLS_EVENT, {
          schema: TITO_CALL_SCHEMA,
          records: JSON.parse(JSON.stringify(toTitoRecords(calls))) as AglJsonValue,
        }),
      log: (message) => say('info', message),
    }
    say('info', 'started')
    await fn(context)
    if (signalled) throw cancelled(signalled, 'it finished after the signal, so it did not complete')
    if (rewards.length === 0) say('info', 'finished without posting a reward: the trainer gets no signal from it')
    const durationMs = Date.now() - started
    say('info', `succeeded in ${(durationMs / 1000).toFixed(1)} s (exit 0)`)
    outcome = { state: 'succeeded', exitCode: 0, error: undefined, message: null, rewards, durationMs }
  } catch (error) {
    const exitCode = signalled ? SIGNAL_EXIT_CODES[signalled] : aglExitCode(error)
    const message = describeAglFailure(error, env)
    say('error', `failed (exit ${exitCode}): ${message}`)
    if (client && (options.reportErrors ?? true) && !isUnreportable(error)) {
      await client
        .postEvent(ROLLOUT_ERROR_EVENT, { exit_code: exitCode, message: redact(message, env?.key) })
        .catch((postError: unknown) => say('error', `could not post the rollout_error event: ${messageOf(postError)}`))
    }
    outcome = { state: 'failed', exitCode, error, message, rewards, durationMs: Date.now() - started }
  } finally {
    process.off('SIGTERM', onTerm)
    process.off('SIGINT', onInt)
  }
  if (options.exit ?? true) process.exit(outcome.exitCode)
  return outcome
}

/** Failures where posting an event cannot work either (the key or the rollout is refused). */
function isUnreportable(error: unknown): boolean {
  const refused = (e: unknown): boolean =>
    AglAuthError.isInstance(e) ||
    AglNotFoundError.isInstance(e) ||
    (VLLMError.isInstance(e) && (e.status === 401 || e.status === 404))
  return findError(error, refused) !== undefined
}

function modelLogger(say: (level: keyof AglRolloutLogger, message: string) => void): VLLMLogger {
  return { warn: (message) => say('error', message), info: (message) => say('info', message) }
}

function cancelled(signal: keyof typeof SIGNAL_EXIT_CODES, what: string): AglCancelledError {
  return new AglCancelledError(`the rollout was cancelled by ${signal}: ${what}`, { signal })
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
