import { describe, expect, it } from 'vitest';
import {
  Cancelled,
  CardError,
  CardRemoved,
  EmrtdError,
  FileNotFound,
  MalformedData,
  SecureMessagingError,
  SecurityStatusNotSatisfied,
  Timeout,
} from '../errors.js';
import { type ReadFailure, type Recovery, recovery } from './read-recovery.js';

/** A later READ of a file (length known), nothing failed before, resumes left. */
const LATER: ReadFailure = {
  firstRead: false,
  block: 0xdf,
  retriesLeft: 10,
  failuresHere: 0,
  resumes: 0,
  maxResumes: 3,
  sessionLost: false,
};
const FIRST: ReadFailure = { ...LATER, firstRead: true };
const EXTENDED: ReadFailure = { ...LATER, block: 1024 };
const sw = (n: number) => new CardError('READ BINARY DG2', n);

const cases: [string, unknown, ReadFailure, Recovery][] = [
  // Errors that end the file: nothing to learn, nothing to retry.
  ['a file the chip does not have', new FileNotFound('DG2'), LATER, { retry: false }],
  ['a file the chip protects', new SecurityStatusNotSatisfied('DG3'), LATER, { retry: false }],
  ['malformed data', new MalformedData('DG2', 0, 'x'), LATER, { retry: false }],
  ['cancellation', new Cancelled('READ BINARY DG2'), LATER, { retry: false }],
  ['a programming error', new TypeError('x'), LATER, { retry: false }],
  ['an error status to a header-sized first READ', sw(0x6b00), { ...FIRST, block: 8 }, { retry: false }],
  ['an error status to a short READ', sw(0x6a86), LATER, { retry: false }],
  ['anything when the retry budget is spent', sw(0x6700), { ...LATER, retriesLeft: 0 }, { retry: false }],
  // A chip that refuses reading past a small file's end.
  [
    'an error status to a first READ larger than a header',
    sw(0x6b00),
    FIRST,
    { retry: true, pastEndRefused: true, failuresHere: 0, resume: false },
  ],
  // Size refusals: recorded (with the size a 6Cxx names), costly when they cost the session.
  [
    '6700 wrong length',
    sw(0x6700),
    LATER,
    { retry: true, refused: { block: 0xdf, required: true }, failuresHere: 0, resume: false },
  ],
  [
    '6Cxx names the size',
    sw(0x6c80),
    LATER,
    { retry: true, refused: { block: 0xdf, named: 0x80, required: true }, failuresHere: 0, resume: false },
  ],
  [
    'a refusal that ended secure messaging',
    sw(0x6700),
    { ...LATER, sessionLost: true },
    { retry: true, refused: { block: 0xdf, required: true }, costly: true, failuresHere: 0, resume: true },
  ],
  [
    'any error status to an extended READ',
    sw(0x6a86),
    EXTENDED,
    { retry: true, refused: { block: 1024, required: true }, failuresHere: 0, resume: false },
  ],
  [
    'a size refusal needs no resume left',
    sw(0x6700),
    { ...LATER, sessionLost: true, resumes: 3 },
    { retry: true, refused: { block: 0xdf, required: true }, costly: true, failuresHere: 0, resume: true },
  ],
  // Link failures: resume; the second in a row at one offset also counts as a refusal of the size.
  ['tag lost', new CardRemoved(), LATER, { retry: true, failuresHere: 1, resume: true }],
  ['a silent card', new Timeout('READ BINARY DG2', 1000), LATER, { retry: true, failuresHere: 1, resume: true }],
  ['a bad MAC', new SecureMessagingError('bad MAC'), LATER, { retry: true, failuresHere: 1, resume: true }],
  ['a transport error', new EmrtdError('transport', 'x'), LATER, { retry: true, failuresHere: 1, resume: true }],
  [
    'the second link failure in a row',
    new CardRemoved(),
    { ...LATER, failuresHere: 1 },
    { retry: true, refused: { block: 0xdf, required: false }, failuresHere: 0, resume: true },
  ],
  [
    'a link failure with no resume left',
    new CardRemoved(),
    { ...LATER, resumes: 3 },
    { retry: true, failuresHere: 1, resume: true, resumesExhausted: true },
  ],
];

describe('recovery after a failed READ BINARY', () => {
  it.each(cases)('%s', (_name, error, failure, expected) => {
    expect(recovery(error, failure)).toEqual(expected);
  });
});
