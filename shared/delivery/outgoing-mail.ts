/** A reminder e-mail and the JSON body of the Graph sendMail request that carries it. */

export interface MailRecipient {
  readonly address: string;
  readonly name?: string;
}

export interface OutgoingMail {
  /** Plain text, one line. */
  readonly subject: string;
  /** The body, sent as HTML. */
  readonly html: string;
  readonly to: MailRecipient;
  /** Custom internet message headers; Graph accepts only names starting with `x-`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** `{ message, saveToSentItems }` as Graph's sendMail takes it. */
export function sendMailBody(mail: OutgoingMail, saveToSentItems: boolean): unknown {
  const { address, name } = mail.to;
  return {
    message: {
      subject: mail.subject,
      body: { contentType: 'HTML', content: mail.html },
      toRecipients: [{ emailAddress: name === undefined || name === '' ? { address } : { address, name } }],
      ...(mail.headers === undefined
        ? {}
        : {
            internetMessageHeaders: Object.entries(mail.headers).map(([headerName, value]) => ({
              name: headerName,
              value,
            })),
          }),
    },
    saveToSentItems,
  };
}
