import { EventMapper } from '../src/event-mapper.js'
import { TokenCapture } from '../src/token-capture.js'

const N = 22500
const chunks = Array.from({ length: N }, (_, i) =>
  JSON.parse(
    JSON.stringify({
      id: 'x',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          delta: { content: ' alpha' },
          logprobs: { content: [{ token: ' alpha', logprob: -0.5, bytes: [32, 97], top_logprobs: [] }] },
          finish_reason: null,
          token_ids: [i],
        },
      ],
    })
  )
)
for (let r = 0; r < 8; r++) {
  const s = performance.now()
  const cap = new TokenCapture({ logprobs: true, topLogprobs: false, sampling: {}, eosTokenIds: undefined, startMs: 0 })
  const m = new EventMapper(() => {})
  let n = 0
  for (const c of chunks) {
    const ch = c.choices[0]
    cap.addChoice(ch)
    m.delta(ch.delta)
    n += m.out.length
    m.out.length = 0
  }
  console.log('per-chunk work ms', (performance.now() - s).toFixed(2), n)
}
