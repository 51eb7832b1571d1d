import { useState } from "react";
import { metadataUri } from "../shared/content";
import { useAgoraWrite } from "../shared/contracts";
import { navigate } from "../shared/router";
import { AddressText, Card, ConfirmButton, TxStatus } from "../shared/ui";
import { useViewer } from "../wallet/viewer";
import { AcceptTransfer } from "./OwnerActions";
import { HandleField, useHandleCheck } from "./HandleField";

export function RegisterPage() {
  const { address, profile } = useViewer();
  const [handle, setHandle] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [bio, setBio] = useState("");
  const write = useAgoraWrite("ProfileRegistry");
  const check = useHandleCheck(handle);
  if (!address) return <p className="muted">Connect a wallet to register a handle.</p>;
  if (profile)
    return (
      <p>
        This wallet already owns <a href={`#/u/${profile.handle}`}>@{profile.handle}</a>: one
        profile per address.
      </p>
    );
  return (
    <>
      <Card title="Register a handle">
        <form onSubmit={(event) => event.preventDefault()}>
          <HandleField
            id="handle"
            label="Handle"
            value={handle}
            onChange={setHandle}
            check={check}
          />
          <label htmlFor="display-name">Display name</label>
          <input
            id="display-name"
            value={displayName}
            maxLength={80}
            onChange={(e) => setDisplayName(e.target.value)}
          />
          <label htmlFor="bio">Bio</label>
          <textarea
            id="bio"
            value={bio}
            rows={3}
            maxLength={500}
            onChange={(e) => setBio(e.target.value)}
          />
          <ConfirmButton
            label={`Register @${handle || "…"}`}
            disabled={!check.ok || write.busy}
            summary={
              <p>
                Registers @{handle} as the profile of this wallet (<AddressText address={address} />
                ), with the display name “{displayName || "(none)"}” and the bio “{bio || "(none)"}
                ”. A wallet owns one profile; the handle, name and bio are public on chain. Cost:
                gas only, no fee, no value sent.
              </p>
            }
            onConfirm={() =>
              void write
                .send({
                  functionName: "register",
                  args: [
                    handle,
                    metadataUri({ displayName: displayName || undefined, bio: bio || undefined }),
                  ],
                })
                .then((receipt) => receipt && navigate(`/u/${handle}`))
            }
          />
          <TxStatus state={write.state} />
        </form>
      </Card>
      <Card title="Take over a profile offered to you">
        <AcceptTransfer />
      </Card>
    </>
  );
}
