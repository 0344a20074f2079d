import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { sign, signedHeaders } from './webhook-sender.service.js';

describe('webhook signatures', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const body = JSON.stringify({ type: 'comment.published', data: { text: 'Ünïcode — and "quotes"' } });

  it('signs as the standardwebhooks package signs', () => {
    const at = new Date('2026-12-07T04:00:00.000Z');
    const id = 'msg_0123456789abcdef0123456789abcdef';
    expect(sign(secret, id, String(Math.floor(at.getTime() / 1000)), body)).toBe(
      new Webhook(secret).sign(id, at, body),
    );
  });

  it('is verified by the standardwebhooks package, with both secrets during a rotation', () => {
    const previous = `whsec_${randomBytes(24).toString('base64')}`;
    const headers = signedHeaders(
      { secret, previousSecret: previous, previousSecretUntil: new Date(Date.now() + 60_000) },
      'msg_fedcba9876543210fedcba9876543210',
      new Date(),
      body,
    );
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(body, headers)).toThrow();
  });
});
