import { describe, expect, it } from 'vitest'
import { splitUrlCredentials } from './url-credentials.js'

describe('splitUrlCredentials', () => {
  it('takes user info and the query off, and returns the credentials as a Basic value', () => {
    expect(splitUrlCredentials('http://user:p%40ss@127.0.0.1:8000/v1?key=sk-1')).toEqual({
      url: 'http://127.0.0.1:8000/v1',
      basic: Buffer.from('user:p@ss').toString('base64'),
    })
    expect(splitUrlCredentials('http://ü:pw@host/v1').basic).toBe(Buffer.from('ü:pw').toString('base64'))
  })

  it('leaves a URL without credentials as URL serializes it, with no Basic value', () => {
    expect(splitUrlCredentials('http://127.0.0.1:8000/v1/chat/completions')).toEqual({
      url: 'http://127.0.0.1:8000/v1/chat/completions',
      basic: undefined,
    })
    expect(splitUrlCredentials('http://127.0.0.1:8000').url).toBe('http://127.0.0.1:8000/')
  })

  it('still drops what looks like credentials from a string URL cannot parse', () => {
    expect(splitUrlCredentials('http://user:KEY@[bad/v1')).toEqual({ url: 'http://[bad/v1', basic: undefined })
    expect(splitUrlCredentials('not a url')).toEqual({ url: 'not a url', basic: undefined })
  })
})
