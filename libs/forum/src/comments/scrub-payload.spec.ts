import { scrubPayload } from './comments.repository.js';

describe('scrubPayload', () => {
  const erased = 'c-erased';
  const author = 'u-erased';

  it('strips body and author from every view of an erased comment, whatever the event shape', () => {
    const view = { id: erased, status: 'published', author: { id: author, username: 'leaving' }, body: 'words', html: '<p>words</p>', score: 2 };
    expect(scrubPayload({ comment: view }, new Set([erased]), author)).toEqual({
      comment: { id: erased, status: 'published', author: null, body: null, html: null, score: 2 },
    });
    expect(scrubPayload({ queue: 'pending', items: [{ comment: view }] }, new Set([erased]), null)).toEqual({
      queue: 'pending',
      items: [{ comment: { id: erased, status: 'published', author: null, body: null, html: null, score: 2 } }],
    });
  });

  it('strips views written by the erased author and leaves the others alone', () => {
    const mine = { id: 'other-id', authorId: author, body: 'mine' };
    const theirs = { id: 'theirs', author: { id: 'someone' }, body: 'theirs' };
    expect(scrubPayload({ parent: mine, comment: theirs }, new Set(), author)).toEqual({
      parent: { id: 'other-id', authorId: null, body: null },
      comment: theirs,
    });
    expect(scrubPayload({ commentId: erased, score: 1 }, new Set([erased]), author)).toEqual({ commentId: erased, score: 1 });
  });
});
