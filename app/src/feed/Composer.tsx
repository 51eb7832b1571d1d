import { useState } from "react";
import { Link } from "../shared/router";
import { ConfirmButton, TxStatus } from "../shared/ui";
import { useAgoraWrite } from "../shared/contracts";
import { textUri } from "../shared/content";
import { useViewer } from "../wallet/viewer";

const MAX_LENGTH = 1_000;

/**
 * Writes a post, a reply (`parentId`) or a quote (`quotedId`, by `about`), stored as a `data:`
 * URI. The text stays in the box until the transaction is confirmed: a failure loses nothing.
 */
export function Composer({
  parentId,
  quotedId,
  about,
  label = "What's happening?",
  onDone,
}: {
  parentId?: string;
  quotedId?: string;
  /** The handle of the author replied to or quoted. */
  about?: string;
  label?: string;
  onDone?: () => void;
}) {
  const { address, profile } = useViewer();
  const [text, setText] = useState("");
  const write = useAgoraWrite("ProfileRegistry");
  if (!address) return null;
  if (!profile)
    return (
      <p className="muted">
        <Link to="/register">Register a handle</Link> to post.
      </p>
    );
  const id = `composer-${parentId ?? quotedId ?? "new"}`;
  const tooLong = text.length > MAX_LENGTH;
  const submit = async () => {
    const uri = textUri(text.trim());
    const authorId = BigInt(profile.id);
    const receipt =
      parentId || quotedId
        ? await write.send({
            functionName: "postWithRefs",
            args: [authorId, uri, BigInt(parentId ?? 0), BigInt(quotedId ?? 0)],
          })
        : await write.send({ functionName: "post", args: [authorId, uri] });
    if (receipt) {
      setText("");
      onDone?.();
    }
  };
  return (
    <form className="composer" onSubmit={(event) => event.preventDefault()}>
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <textarea
        id={id}
        value={text}
        placeholder={label}
        rows={3}
        onChange={(event) => setText(event.target.value)}
      />
      <div className="row">
        <span className={tooLong ? "error small" : "muted small"}>
          {text.length}/{MAX_LENGTH}
        </span>
        <ConfirmButton
          label={parentId ? "Reply" : quotedId ? "Quote" : "Post"}
          disabled={write.busy || text.trim() === "" || tooLong}
          summary={
            <p>
              Publishes these {text.trim().length} characters as @{profile.handle}
              {parentId
                ? `, in reply to the post by @${about ?? "?"}`
                : quotedId
                  ? `, quoting the post by @${about ?? "?"}`
                  : ""}
              . The text is stored on chain: public and permanent (retracting only hides it in
              apps). Cost: gas only, no fee, no value sent.
            </p>
          }
          onConfirm={() => void submit()}
        />
      </div>
      <TxStatus state={write.state} />
    </form>
  );
}
