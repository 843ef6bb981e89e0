"""What a careful owner does next: one sentence per screening rule, hold reason and freeze.

A warning is only useful if the person reading it knows what the risk is and what to do
about it, at the moment they read it. Each sentence says the risk first ("address
poisoning: ...") and then the next step; each has a stable anchor in docs/screening.md
(generated from these tables by wallet_cli/screening/docs.py), so a link printed today
still lands on the right paragraph after the docs grow.
"""

from __future__ import annotations

DOC = "docs/screening.md"

# Keyed by the rule id of wallet_cli/screening/rules.py (a test checks both ways).
RULE_ADVICE: dict[str, str] = {
    "lookalike": "address poisoning: compare the full address with your contact or the "
    "payee's own message, character by character; never copy an address from history.",
    "seen-as-poisoner": "address poisoning: this address only ever planted dust or fake "
    "transfers in your history; take the address from your contact or the payee, never "
    "from history.",
    "sanctioned": "a sanctioned address: paying it can be unlawful and the funds can be "
    "frozen; do not send, and ask the payee over another channel for a different address.",
    "scam-listed": "a reported scam address: whoever asked you to pay it is most likely the "
    "scammer; do not send, and confirm the payee through a channel you already trust.",
    "user-listed": "an address on one of your own lists: you or your organisation decided "
    "not to pay it; find out why with `wallet lists` before anything else.",
    "zero-address": "a burn: what is sent to the zero address is gone for good, usually "
    "because an address was missing or mis-pasted; paste the real one again.",
    "burn-address": "a burn: nobody holds the key to this address, so what you send is "
    "lost; check where the address came from.",
    "precompile": "not an account: what you send to an EVM precompile is lost; the address "
    "is almost certainly a typo or a mis-paste.",
    "program-address": "not a wallet: nobody holds a key to a program or a sysvar, so what "
    "you send is lost; ask the payee for their own wallet address.",
    "token-to-itself": "a lost token: a token sent to its own contract cannot be got back; "
    "send to the payee's address, not to the token's.",
    "contract-recipient": "a contract, not a person: a plain transfer to a contract can be "
    "stuck for good; send only if the contract's owners say it accepts such deposits.",
    "lookup-failed": "an unknown recipient: the node did not say whether this is a "
    "contract; retry when the node answers, or check the address on a block explorer first.",
    "dev-key-sender": "a public key: everyone knows the test mnemonic and bots sweep its "
    "accounts on real networks within seconds; send from a wallet made with `wallet init`.",
    "dev-key-recipient": "a public key: bots sweep funds sent to a test-mnemonic account on "
    "a real network within seconds; ask the payee for a real address.",
    "first-time-recipient": "a new recipient: first payments are where mistakes and scams "
    "happen; confirm the address with the payee over a second channel, or send a small test "
    "amount first.",
    "self-transfer": "your own address: nothing leaves the wallet but the fee; if you meant "
    "to pay someone, check the destination.",
    "no-checksum": "no typo protection: an all-lower-case address carries no checksum; ask "
    "the payee for the mixed-case (EIP-55) form.",
    "spending-limit": "over your own limit: the limit caps what a slip or a thief can take; "
    "split the payment or raise the limit in config.toml on purpose, never `--allow` it by "
    "habit.",
    "unusual-amount": "an unusual amount: far above what this wallet usually sends, the "
    "shape of a mistyped amount or of someone else at the keyboard; re-read the amount and "
    "its decimals.",
    "fee-exceeds-amount": "a fee larger than the payment: usually a fee spike or a mistaken "
    "amount; wait for lower fees or send a larger amount.",
    "typed-data-chain": "a signature for another chain: a site that asks for one may replay "
    "it there; stop, and check which site asked and why.",
    "message-address": "a signature that names a risky address: signing can hand it your "
    "funds without any transaction; do not sign, and leave the site that asked.",
    "unlimited-grant": "an unlimited allowance: the spender can take all of this token, now "
    "or later; grant only the amount you need, to a protocol you meant to use.",
    "grant-expiry": "a long-lived grant: it stays usable until revoked; revoke it with "
    "`wallet revoke` once you are done.",
    "spender-not-contract": "a drainer's shape: phishing sites ask for grants to an "
    "ordinary account rather than a protocol; do not sign unless you know that account.",
    "spender-not-checked": "an unchecked spender: no node said whether the spender is a "
    "contract; check it online before you sign.",
    "order-pays-stranger": "a phished listing: when filled, this order pays a stranger, the "
    "way drainers sell your tokens and NFTs; do not sign, and leave the site.",
    "order-for-nothing": "a giveaway: filling this order takes your items and pays you "
    "nothing, or less than others; do not sign unless you mean to give them away.",
    "blind-signing": "blind signing: a bare hash may approve anything, a transfer or a "
    "permit; sign it only if you know what produced it.",
    "disguised-message": "a disguised transaction: signed as a message it can still "
    "authorise a transfer; do not sign, and use `send` or `sign-typed-data`, which show "
    "what it does.",
}

# Keyed by the hold's reason: the policy key that tripped (`[wallets.NAME.policy.ASSET]`),
# and `all-or-nothing` for a batch row held because another row was.
HOLD_ADVICE: dict[str, str] = {
    "hold-above": "a large transfer: it waits for you so that neither a slip nor a thief "
    "can move it at once; if it is yours, check the destination and `wallet holds approve` "
    "it, otherwise cancel it and run `wallet freeze`.",
    "hold-new-recipient-above": "a large first payment to a new address: the usual shape of "
    "a scam; confirm the address with the payee over a second channel before you approve, "
    "otherwise cancel it.",
    "hold-daily-above": "over the day's budget: many transfers adding up is how a wallet is "
    "drained; approve only if every one of today's transfers is yours, otherwise run "
    "`wallet freeze`.",
    "hold-unusual": "an unusual amount: far above what this wallet usually sends, the shape "
    "of a mistyped amount or of someone else at the keyboard; re-read the amount and its "
    "decimals, and approve only if it is right.",
    "all-or-nothing": "a batch held whole: one of its rows was held and `--all-or-nothing` "
    "keeps the rest with it; review the held row, then approve or cancel the batch.",
}

# Other refusals that stop a signature for the owner's protection.
OTHER_ADVICE: dict[str, str] = {
    "frozen": "a frozen wallet: its owner stopped every signature on suspecting theft; find "
    "out how the thief got in (a leaked passphrase, a copied vault) before `wallet "
    "unfreeze`, and move the funds to a new wallet if in doubt.",
}

GENERIC = (
    "a risk screening flagged: read the finding, and check the destination with the payee "
    "over a second channel before going on."
)
GENERIC_ANCHOR = "screening-rules"


def link(anchor: str) -> str:
    """The stable link printed beside the advice (the anchor is a heading of the docs)."""
    return f"{DOC}#{anchor}"


def advice_for_rule(rule_id: str) -> tuple[str, str]:
    """(sentence, link) for a finding's rule; an id outside the registry gets the generic
    sentence rather than nothing, so no refusal goes out without a next step."""
    if rule_id in RULE_ADVICE:
        return RULE_ADVICE[rule_id], link(rule_id)
    return GENERIC, link(GENERIC_ANCHOR)


def advice_for_hold(reason: str) -> tuple[str, str]:
    """(sentence, link) for a hold's reason (a policy key such as `hold-above`); an unknown
    reason gets the general hold advice and the section's link."""
    if reason in HOLD_ADVICE:
        return HOLD_ADVICE[reason], link(reason)
    return HOLD_ADVICE["hold-above"], link("holds")


def advice_for_freeze() -> tuple[str, str]:
    """(sentence, link) for a signature refused because the owner froze the wallet."""
    return OTHER_ADVICE["frozen"], link("frozen")
