// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICreatorCoin} from "../interfaces/ICreatorCoin.sol";
import {ICreatorCoinFactory} from "../interfaces/ICreatorCoinFactory.sol";
import {IProfileRegistry} from "../interfaces/IProfileRegistry.sol";
import {IRevenueSink} from "../interfaces/IRevenueSink.sol";
import {BondingCurve} from "../libraries/BondingCurve.sol";

/// @title CreatorCoin
/// @notice The implementation every creator coin clones. A clone carries its profile id and
/// handle as one word of immutable arguments (the handle's at most 25 bytes left-aligned, the
/// profile id in the low 7 bytes: `bytes32(bytes(handle)) | bytes32(profileId)`); everything else is
/// in its own storage, so each coin holds and accounts for its own ETH. Trading lives on the
/// coin rather than on a shared market so that a trade touches one contract, one reserve and
/// one balance map: no cross-contract mint call, no shared pot that a bug in one coin could
/// drain for all.
contract CreatorCoin is ICreatorCoin {
    using SafeCast for uint256;

    /// @inheritdoc ICreatorCoin
    uint256 public constant FLOOR_SUPPLY = 1e15;
    /// @inheritdoc ICreatorCoin
    uint256 public constant MIN_TRADE = 1e12;
    /// @inheritdoc ICreatorCoin
    uint256 public constant SUPPLY_CAP = BondingCurve.SUPPLY_CAP;
    /// @inheritdoc ICreatorCoin
    uint256 public constant MAX_CREATOR_FEE_BPS = 1000;
    /// @inheritdoc ICreatorCoin
    uint256 public constant CREATOR_FEE_DELAY = 7 days;

    uint256 private constant _BPS = 10_000;
    /// @dev The clone arguments' layout: a handle of at most 25 bytes, then a 7-byte profile id.
    uint256 private constant _MAX_HANDLE_LENGTH = 25;
    uint256 private constant _PROFILE_ID_MASK = type(uint56).max;
    /// @dev Bit offsets and masks of the packed `_market` and `_reserve` words.
    uint256 private constant _FEES_OWED_MASK = (1 << 104) - 1;
    uint256 private constant _MAX_RESERVE = (1 << 107) - 1;
    uint256 private constant _PROTOCOL_FEES_OWED_OFFSET = 80;
    uint256 private constant _CREATOR_FEES_OWED_OFFSET = 107;
    bytes32 private constant _PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 private constant _VERSION_HASH = keccak256("1");
    // keccak256("agora.CreatorCoin.reentrancy") - 1: a transient slot no storage variable uses.
    bytes32 private constant _LOCK_SLOT =
        0x4273b930369e4995ebb836678eed0788988601c40839c029f3e30733ec7a4dd2;

    /// @dev Everything a trade reads and writes, in two storage words that `_loadMarket`,
    /// `_loadReserve`, `_storeMarket` and `_storeReserve` pack by hand (bit offsets below, from
    /// the low-order end). Both words stay non-zero once trading has started (supply >=
    /// FLOOR_SUPPLY, reserve > 0), so no trade pays for a fresh slot.
    ///
    /// `_market`: supply 80 @0 | protocolFeesOwed 104 @80 | creatorFeeBps 10 @184 |
    /// pendingCreatorFeeBps 10 @194 | pendingCreatorFeeAt 32 @204 | protocolFeeBps 9 @236 |
    /// launched 1 @245.
    /// `_reserve`: reserve 107 @0 | creatorFeesOwed 104 @107 | referrerShareBps 13 @211 |
    /// feeRatesUntil 32 @224.
    ///
    /// Widths: supply < SUPPLY_CAP = 1e24 < 2^80; the reserve never exceeds
    /// reserveRoundingUp(SUPPLY_CAP) (about 2.1e31 wei) plus a trade's rounding by much, and
    /// 2^107 is 1.6e32 (checked: `CreatorCoinReserveOverflow`); fees owed < 2^104 wei (SafeCast);
    /// creator fees <= MAX_CREATOR_FEE_BPS = 1000 < 2^10; the factory's caps keep the protocol fee
    /// <= 500 < 2^9 and the referrer share <= 5000 < 2^13; timestamps < 2^32 (until 2106).
    ///
    /// `protocolFeeBps`, `referrerShareBps` and `feeRatesUntil` are the factory's rates as of
    /// the last trade: the factory never changes a rate sooner than `FEE_CHANGE_DELAY` after
    /// scheduling the change, so they stay exact until `feeRatesUntil`
    /// (`ICreatorCoinFactory.feeRates`). The first trade at or after it asks the factory again;
    /// every other trade reads no other contract's storage.
    struct Market {
        uint80 supply;
        uint104 protocolFeesOwed;
        uint16 creatorFeeBps;
        uint16 pendingCreatorFeeBps;
        uint32 pendingCreatorFeeAt;
        uint16 protocolFeeBps;
        bool launched;
    }

    struct Reserve {
        uint112 reserve;
        uint104 creatorFeesOwed;
        uint16 referrerShareBps;
        uint32 feeRatesUntil;
    }

    /// @dev The amounts of one trade, as quoted and as executed.
    struct Quote {
        uint256 coins;
        uint256 minted;
        uint256 eth;
        uint256 protocolFee;
        uint256 creatorFee;
        /// The part of `protocolFee` that goes to the trade's referrer.
        uint256 referrerFee;
        uint256 reserveDelta;
    }

    address private immutable _FACTORY;
    IProfileRegistry private immutable _REGISTRY;
    IRevenueSink private immutable _REVENUE_SINK;

    /// @dev `Market`, packed as the struct's documentation says.
    uint256 private _market;
    /// @dev `Reserve`, packed as `Market`'s documentation says.
    uint256 private _reserve;
    mapping(address account => uint256) private _balances;
    mapping(address account => mapping(address spender => uint256)) private _allowances;
    mapping(address account => uint256) private _nonces;
    mapping(address referrer => uint256) private _referrerFeesOwed;

    modifier nonReentrant() {
        bytes32 slot = _LOCK_SLOT;
        uint256 locked;
        assembly ("memory-safe") {
            locked := tload(slot)
        }
        if (locked != 0) revert CreatorCoinReentrantCall();
        assembly ("memory-safe") {
            tstore(slot, 1)
        }
        _;
        assembly ("memory-safe") {
            tstore(slot, 0)
        }
    }

    modifier onlyProfileOwner() {
        if (msg.sender != _REGISTRY.ownerOf(profileId()))
            revert CreatorCoinUnauthorized(msg.sender);
        _;
    }

    /// @param registry_ The profile registry whose owners control creator fees.
    /// @param revenueSink_ Where protocol fees are swept.
    /// @dev Deployed by the factory, which becomes the only caller of `initialize`.
    constructor(IProfileRegistry registry_, IRevenueSink revenueSink_) {
        _FACTORY = msg.sender;
        _REGISTRY = registry_;
        _REVENUE_SINK = revenueSink_;
    }

    // ---------------------------------------------------------------- launch

    /// @inheritdoc ICreatorCoin
    function initialize(
        uint256 creatorFeeBps_,
        address launcher,
        uint256 minCoinsOut,
        uint256 deadline
    ) external payable returns (uint256 coinsOut) {
        if (msg.sender != _FACTORY) revert CreatorCoinUnauthorized(msg.sender);
        _checkDeadline(deadline);
        if (creatorFeeBps_ > MAX_CREATOR_FEE_BPS) {
            revert CreatorCoinFeeTooHigh(creatorFeeBps_, MAX_CREATOR_FEE_BPS);
        }
        Market memory m = _loadMarket();
        // Cast is safe: checked against MAX_CREATOR_FEE_BPS above.
        m.creatorFeeBps = uint16(creatorFeeBps_);
        m.launched = true;
        if (msg.value == 0) {
            _storeMarket(m);
            return 0;
        }
        coinsOut = _buyExactIn(m, _loadReserve(), launcher, launcher, address(0), minCoinsOut);
    }

    // ---------------------------------------------------------------- trading

    /// @inheritdoc ICreatorCoin
    function buyExactIn(
        uint256 minCoinsOut,
        uint256 deadline,
        address recipient
    ) external payable nonReentrant returns (uint256 coinsOut) {
        _checkDeadline(deadline);
        coinsOut = _buyExactIn(
            _launchedMarket(),
            _loadReserve(),
            msg.sender,
            recipient,
            address(0),
            minCoinsOut
        );
    }

    /// @inheritdoc ICreatorCoin
    function buyExactInWithReferrer(
        uint256 minCoinsOut,
        uint256 deadline,
        address recipient,
        address referrer
    ) external payable nonReentrant returns (uint256 coinsOut) {
        _checkDeadline(deadline);
        coinsOut = _buyExactIn(
            _launchedMarket(),
            _loadReserve(),
            msg.sender,
            recipient,
            referrer,
            minCoinsOut
        );
    }

    /// @inheritdoc ICreatorCoin
    function buyExactOut(
        uint256 coinsOut,
        uint256 maxEthIn,
        uint256 deadline,
        address recipient
    ) external payable nonReentrant returns (uint256 ethIn) {
        ethIn = _buyExactOut(coinsOut, maxEthIn, deadline, recipient, address(0));
    }

    /// @inheritdoc ICreatorCoin
    function buyExactOutWithReferrer(
        uint256 coinsOut,
        uint256 maxEthIn,
        uint256 deadline,
        address recipient,
        address referrer
    ) external payable nonReentrant returns (uint256 ethIn) {
        ethIn = _buyExactOut(coinsOut, maxEthIn, deadline, recipient, referrer);
    }

    /// @inheritdoc ICreatorCoin
    function sellExactIn(
        uint256 coinsIn,
        uint256 minEthOut,
        uint256 deadline,
        address recipient
    ) external nonReentrant returns (uint256 ethOut) {
        ethOut = _sellExactIn(coinsIn, minEthOut, deadline, recipient, address(0));
    }

    /// @inheritdoc ICreatorCoin
    function sellExactInWithReferrer(
        uint256 coinsIn,
        uint256 minEthOut,
        uint256 deadline,
        address recipient,
        address referrer
    ) external nonReentrant returns (uint256 ethOut) {
        ethOut = _sellExactIn(coinsIn, minEthOut, deadline, recipient, referrer);
    }

    // ---------------------------------------------------------------- fees

    /// @inheritdoc ICreatorCoin
    function withdrawCreatorFees(
        address to
    ) external nonReentrant onlyProfileOwner returns (uint256 amount) {
        if (to == address(0)) revert CreatorCoinZeroRecipient();
        uint256 word = _reserve;
        amount = (word >> _CREATOR_FEES_OWED_OFFSET) & _FEES_OWED_MASK;
        if (amount == 0) revert CreatorCoinZeroAmount();
        _reserve = word & ~(_FEES_OWED_MASK << _CREATOR_FEES_OWED_OFFSET);
        emit CreatorFeesWithdrawn(msg.sender, to, amount);
        _sendETH(to, amount);
    }

    /// @inheritdoc ICreatorCoin
    function withdrawReferrerFees(address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert CreatorCoinZeroRecipient();
        amount = _referrerFeesOwed[msg.sender];
        if (amount == 0) revert CreatorCoinZeroAmount();
        _referrerFeesOwed[msg.sender] = 0;
        emit ReferrerFeesWithdrawn(msg.sender, to, amount);
        _sendETH(to, amount);
    }

    /// @inheritdoc ICreatorCoin
    function sweepProtocolFees() external nonReentrant returns (uint256 amount) {
        uint256 word = _market;
        amount = (word >> _PROTOCOL_FEES_OWED_OFFSET) & _FEES_OWED_MASK;
        if (amount == 0) revert CreatorCoinZeroAmount();
        _market = word & ~(_FEES_OWED_MASK << _PROTOCOL_FEES_OWED_OFFSET);
        emit ProtocolFeesSwept(msg.sender, amount);
        _REVENUE_SINK.depositETH{value: amount}(profileId());
    }

    /// @inheritdoc ICreatorCoin
    function scheduleCreatorFee(uint256 newBps) external onlyProfileOwner {
        if (newBps > MAX_CREATOR_FEE_BPS) revert CreatorCoinFeeTooHigh(newBps, MAX_CREATOR_FEE_BPS);
        Market memory m = _loadMarket();
        // A matured change becomes the current rate before the next one is scheduled.
        m.creatorFeeBps = uint16(_creatorFeeBps(m));
        uint256 effectiveAt = block.timestamp + CREATOR_FEE_DELAY;
        m.pendingCreatorFeeBps = uint16(newBps); // Safe: newBps <= MAX_CREATOR_FEE_BPS.
        m.pendingCreatorFeeAt = effectiveAt.toUint32();
        _storeMarket(m);
        emit CreatorFeeChangeScheduled(m.creatorFeeBps, newBps, effectiveAt);
    }

    // ---------------------------------------------------------------- quotes and state

    /// @inheritdoc ICreatorCoin
    function quoteBuyExactIn(
        uint256 ethIn
    ) external view returns (uint256 coinsOut, uint256 protocolFee, uint256 creatorFee) {
        Quote memory q = _quoteBuyExactIn(_launchedMarket(), _loadReserve(), ethIn, address(0));
        return (q.coins, q.protocolFee, q.creatorFee);
    }

    /// @inheritdoc ICreatorCoin
    function quoteBuyExactOut(
        uint256 coinsOut
    ) external view returns (uint256 ethIn, uint256 protocolFee, uint256 creatorFee) {
        Quote memory q = _quoteBuyExactOut(_launchedMarket(), _loadReserve(), coinsOut, address(0));
        return (q.eth, q.protocolFee, q.creatorFee);
    }

    /// @inheritdoc ICreatorCoin
    function quoteSellExactIn(
        uint256 coinsIn
    ) external view returns (uint256 ethOut, uint256 protocolFee, uint256 creatorFee) {
        Market memory m = _loadMarket();
        uint256 circulating = m.supply == 0 ? 0 : m.supply - FLOOR_SUPPLY;
        if (coinsIn > circulating) revert CreatorCoinExceedsCirculating(coinsIn, circulating);
        Quote memory q = _quoteSellExactIn(m, _loadReserve(), coinsIn, address(0));
        return (q.eth, q.protocolFee, q.creatorFee);
    }

    /// @inheritdoc ICreatorCoin
    function reserve() external view returns (uint256) {
        return _loadReserve().reserve;
    }

    /// @inheritdoc ICreatorCoin
    function protocolFeesOwed() external view returns (uint256) {
        return _loadMarket().protocolFeesOwed;
    }

    /// @inheritdoc ICreatorCoin
    function creatorFeesOwed() external view returns (uint256) {
        return _loadReserve().creatorFeesOwed;
    }

    /// @inheritdoc ICreatorCoin
    function referrerFeesOwed(address referrer) external view returns (uint256) {
        return _referrerFeesOwed[referrer];
    }

    /// @inheritdoc ICreatorCoin
    function creatorFeeBps() external view returns (uint256) {
        return _creatorFeeBps(_loadMarket());
    }

    /// @inheritdoc ICreatorCoin
    function pendingCreatorFee() external view returns (uint256 bps, uint256 effectiveAt) {
        Market memory m = _loadMarket();
        if (m.pendingCreatorFeeAt == 0 || block.timestamp >= m.pendingCreatorFeeAt) return (0, 0);
        return (m.pendingCreatorFeeBps, m.pendingCreatorFeeAt);
    }

    /// @inheritdoc ICreatorCoin
    function protocolFeeBps() external view returns (uint256) {
        Market memory m = _loadMarket();
        _currentFeeRates(m, _loadReserve());
        return m.protocolFeeBps;
    }

    /// @inheritdoc ICreatorCoin
    function referrerShareBps() external view returns (uint256) {
        Reserve memory r = _loadReserve();
        _currentFeeRates(_loadMarket(), r);
        return r.referrerShareBps;
    }

    /// @inheritdoc ICreatorCoin
    function profileId() public view returns (uint256 id) {
        (id, ) = _cloneArgs();
    }

    /// @inheritdoc ICreatorCoin
    function factory() external view returns (address) {
        return _FACTORY;
    }

    /// @inheritdoc ICreatorCoin
    function handle() public view returns (string memory) {
        (, bytes32 packed) = _cloneArgs();
        uint256 length;
        // Handles are at most 25 non-zero bytes, left-aligned and zero-padded.
        while (length < _MAX_HANDLE_LENGTH && packed[length] != 0) ++length;
        bytes memory text = new bytes(length);
        for (uint256 i; i < length; ++i) text[i] = packed[i];
        return string(text);
    }

    // ---------------------------------------------------------------- ERC-20

    /// @notice "Agora " followed by the profile handle at launch.
    function name() public view returns (string memory) {
        return string.concat("Agora ", handle());
    }

    /// @notice The profile handle at launch in upper case (handles are [a-z0-9_]).
    function symbol() external view returns (string memory) {
        bytes memory text = bytes(handle());
        for (uint256 i; i < text.length; ++i) {
            if (text[i] >= "a" && text[i] <= "z") text[i] = bytes1(uint8(text[i]) - 32);
        }
        return string(text);
    }

    /// @notice 18, like ETH.
    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// @notice Every coin minted and not burned, the locked floor included.
    function totalSupply() external view returns (uint256) {
        return _loadMarket().supply;
    }

    /// @notice Coins held by `account`.
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @notice Coins `spender` may still move for `owner`.
    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    /// @notice Moves `value` of the caller's coins to `to` (not zero, not this coin).
    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @notice Moves `value` of `from`'s coins to `to` against the caller's allowance; an
    /// allowance of type(uint256).max is never spent.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = _allowances[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert ERC20InsufficientAllowance(msg.sender, allowed, value);
            // Cannot underflow: allowed >= value was checked above.
            unchecked {
                _approve(from, msg.sender, allowed - value);
            }
        }
        _transfer(from, to, value);
        return true;
    }

    /// @notice Lets `spender` move up to `value` of the caller's coins.
    function approve(address spender, uint256 value) external returns (bool) {
        _approve(msg.sender, spender, value);
        return true;
    }

    /// @notice EIP-2612: approval by `owner`'s signature over this coin's EIP-712 domain.
    function permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        if (block.timestamp > deadline) revert CreatorCoinPermitExpired(deadline);
        bytes32 structHash = keccak256(
            abi.encode(_PERMIT_TYPEHASH, owner, spender, value, _nonces[owner]++, deadline)
        );
        bytes32 digest = MessageHashUtils.toTypedDataHash(DOMAIN_SEPARATOR(), structHash);
        (address signer, ECDSA.RecoverError error, ) = ECDSA.tryRecover(digest, v, r, s);
        if (error != ECDSA.RecoverError.NoError || signer != owner) {
            revert CreatorCoinPermitInvalidSigner(signer, owner);
        }
        _approve(owner, spender, value);
    }

    /// @notice The next permit nonce of `owner`.
    function nonces(address owner) external view returns (uint256) {
        return _nonces[owner];
    }

    /// @notice The EIP-712 domain: name(), version "1", this chain, this coin. Computed on each
    /// call because a clone has no constructor to cache it in.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    _DOMAIN_TYPEHASH,
                    keccak256(bytes(name())),
                    _VERSION_HASH,
                    block.chainid,
                    address(this)
                )
            );
    }

    /// @notice ERC-5267: the fields of the EIP-712 domain.
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        // The outputs carry ERC-5267's names, so `name` here is the output, not the function.
        fields = hex"0f";
        name = string.concat("Agora ", handle());
        version = "1";
        chainId = block.chainid;
        verifyingContract = address(this);
        salt = bytes32(0);
        extensions = new uint256[](0);
    }

    // ---------------------------------------------------------------- internals

    function _buyExactIn(
        Market memory m,
        Reserve memory r,
        address trader,
        address recipient,
        address referrer,
        uint256 minCoinsOut
    ) private returns (uint256 coinsOut) {
        _checkBuyRecipient(recipient);
        Quote memory q = _quoteBuyExactIn(m, r, msg.value, referrer);
        coinsOut = q.coins;
        if (coinsOut < minCoinsOut) revert CreatorCoinSlippage(coinsOut, minCoinsOut);
        _settleBuy(m, r, q, trader, recipient, referrer);
    }

    function _buyExactOut(
        uint256 coinsOut,
        uint256 maxEthIn,
        uint256 deadline,
        address recipient,
        address referrer
    ) private returns (uint256 ethIn) {
        _checkDeadline(deadline);
        _checkBuyRecipient(recipient);
        Market memory m = _launchedMarket();
        Reserve memory r = _loadReserve();
        Quote memory q = _quoteBuyExactOut(m, r, coinsOut, referrer);
        ethIn = q.eth;
        if (ethIn > maxEthIn) revert CreatorCoinExcessiveInput(ethIn, maxEthIn);
        if (msg.value < ethIn) revert CreatorCoinInsufficientPayment(msg.value, ethIn);
        _settleBuy(m, r, q, msg.sender, recipient, referrer);
        // Cannot underflow: msg.value >= ethIn was checked above.
        unchecked {
            if (msg.value > ethIn) _sendETH(msg.sender, msg.value - ethIn);
        }
    }

    function _sellExactIn(
        uint256 coinsIn,
        uint256 minEthOut,
        uint256 deadline,
        address recipient,
        address referrer
    ) private returns (uint256 ethOut) {
        _checkDeadline(deadline);
        if (recipient == address(0)) revert CreatorCoinZeroRecipient();
        if (coinsIn == 0) revert CreatorCoinZeroAmount();
        uint256 balance = _balances[msg.sender];
        if (coinsIn > balance) revert ERC20InsufficientBalance(msg.sender, balance, coinsIn);
        if (coinsIn < MIN_TRADE && coinsIn != balance) {
            revert CreatorCoinTradeTooSmall(coinsIn, MIN_TRADE);
        }
        // A positive balance exists only on a launched coin, so `launched` needs no check.
        Market memory m = _loadMarket();
        Reserve memory r = _loadReserve();
        Quote memory q = _quoteSellExactIn(m, r, coinsIn, referrer);
        ethOut = q.eth;
        if (ethOut < minEthOut) revert CreatorCoinSlippage(ethOut, minEthOut);

        // Cannot underflow: coinsIn <= balance <= supply, and the reserve covers the curve
        // proceeds (reserve >= reserveRoundingUp(supply) >= the exact integral >= proceeds).
        unchecked {
            _balances[msg.sender] = balance - coinsIn;
            m.supply = uint80(m.supply - coinsIn);
            r.reserve = uint112(r.reserve - q.reserveDelta);
        }
        _accrueFees(m, r, q, referrer);
        emit Transfer(msg.sender, address(0), coinsIn);
        _emitTraded(msg.sender, recipient, referrer, false, q, m, r);
        if (ethOut != 0) _sendETH(recipient, ethOut);
    }

    function _emitTraded(
        address trader,
        address recipient,
        address referrer,
        bool isBuy,
        Quote memory q,
        Market memory m,
        Reserve memory r
    ) private {
        emit Traded(
            trader,
            recipient,
            referrer,
            isBuy,
            q.coins,
            q.eth,
            q.protocolFee,
            q.creatorFee,
            q.referrerFee,
            m.supply,
            r.reserve
        );
    }

    /// @dev Books the fees of `q` into `m` and `r`, credits the referrer its part, and writes
    /// both slots.
    function _accrueFees(
        Market memory m,
        Reserve memory r,
        Quote memory q,
        address referrer
    ) private {
        // Cannot underflow: referrerFee <= protocolFee * MAX_REFERRER_SHARE_BPS / BPS.
        unchecked {
            m.protocolFeesOwed = (m.protocolFeesOwed + (q.protocolFee - q.referrerFee)).toUint104();
        }
        r.creatorFeesOwed = (r.creatorFeesOwed + q.creatorFee).toUint104();
        _storeMarket(m);
        _storeReserve(r);
        if (q.referrerFee != 0) _referrerFeesOwed[referrer] += q.referrerFee;
    }

    function _settleBuy(
        Market memory m,
        Reserve memory r,
        Quote memory q,
        address trader,
        address recipient,
        address referrer
    ) private {
        bool first = m.supply == 0;
        // Cannot overflow: the quote keeps supply + minted below SUPPLY_CAP < 2^80, and the sum of
        // balances equals the supply.
        unchecked {
            m.supply = uint80(m.supply + q.minted);
            _balances[recipient] += q.coins;
            if (first) _balances[address(this)] += FLOOR_SUPPLY;
        }
        uint256 newReserve = r.reserve + q.reserveDelta;
        if (newReserve > _MAX_RESERVE) revert CreatorCoinReserveOverflow(newReserve, _MAX_RESERVE);
        // Cast is safe: checked against _MAX_RESERVE < 2^107 above.
        r.reserve = uint112(newReserve);
        _accrueFees(m, r, q, referrer);
        if (first) emit Transfer(address(0), address(this), FLOOR_SUPPLY);
        emit Transfer(address(0), recipient, q.coins);
        _emitTraded(trader, recipient, referrer, true, q, m, r);
    }

    /// @dev Fees are taken on top of the curve cost: the curve gets at most
    /// floor(ethIn * BPS / (BPS + fees)), and whatever the rounded curve cost and rounded-down
    /// fees leave of `ethIn` stays in the reserve.
    function _quoteBuyExactIn(
        Market memory m,
        Reserve memory r,
        uint256 ethIn,
        address referrer
    ) private view returns (Quote memory q) {
        if (ethIn == 0) revert CreatorCoinZeroAmount();
        (uint256 protocolBps, uint256 creatorBps, uint256 shareBps) = _feeRates(m, r, referrer);
        uint256 supply = m.supply;
        uint256 floor = supply == 0 ? FLOOR_SUPPLY : 0;
        uint256 budget = Math.mulDiv(ethIn, _BPS, _BPS + protocolBps + creatorBps);
        q.minted = BondingCurve.mintableForRoundingDown(supply, budget);
        if (supply + q.minted >= SUPPLY_CAP) {
            revert CreatorCoinSupplyCapExceeded(supply + q.minted, SUPPLY_CAP);
        }
        q.coins = q.minted > floor ? q.minted - floor : 0;
        if (q.coins < MIN_TRADE) revert CreatorCoinTradeTooSmall(q.coins, MIN_TRADE);
        uint256 cost = BondingCurve.costToMintRoundingUp(supply, q.minted);
        q.protocolFee = (cost * protocolBps) / _BPS;
        q.creatorFee = (cost * creatorBps) / _BPS;
        q.referrerFee = (q.protocolFee * shareBps) / _BPS;
        q.eth = ethIn;
        // Cannot underflow: cost <= budget, so cost + fees <= budget * (BPS + fees) / BPS <= ethIn.
        unchecked {
            q.reserveDelta = ethIn - q.protocolFee - q.creatorFee;
        }
    }

    function _quoteBuyExactOut(
        Market memory m,
        Reserve memory r,
        uint256 coinsOut,
        address referrer
    ) private view returns (Quote memory q) {
        if (coinsOut == 0) revert CreatorCoinZeroAmount();
        if (coinsOut < MIN_TRADE) revert CreatorCoinTradeTooSmall(coinsOut, MIN_TRADE);
        (uint256 protocolBps, uint256 creatorBps, uint256 shareBps) = _feeRates(m, r, referrer);
        uint256 supply = m.supply;
        q.coins = coinsOut;
        q.minted = supply == 0 ? coinsOut + FLOOR_SUPPLY : coinsOut;
        if (q.minted >= SUPPLY_CAP - supply) {
            revert CreatorCoinSupplyCapExceeded(supply + q.minted, SUPPLY_CAP);
        }
        q.reserveDelta = BondingCurve.costToMintRoundingUp(supply, q.minted);
        q.protocolFee = (q.reserveDelta * protocolBps) / _BPS;
        q.creatorFee = (q.reserveDelta * creatorBps) / _BPS;
        q.referrerFee = (q.protocolFee * shareBps) / _BPS;
        q.eth = q.reserveDelta + q.protocolFee + q.creatorFee;
    }

    function _quoteSellExactIn(
        Market memory m,
        Reserve memory r,
        uint256 coinsIn,
        address referrer
    ) private view returns (Quote memory q) {
        if (coinsIn == 0) revert CreatorCoinZeroAmount();
        (uint256 protocolBps, uint256 creatorBps, uint256 shareBps) = _feeRates(m, r, referrer);
        q.coins = coinsIn;
        q.reserveDelta = BondingCurve.proceedsToBurnRoundingDown(m.supply, coinsIn);
        q.protocolFee = (q.reserveDelta * protocolBps) / _BPS;
        q.creatorFee = (q.reserveDelta * creatorBps) / _BPS;
        q.referrerFee = (q.protocolFee * shareBps) / _BPS;
        // Cannot underflow: the fees are at most 15% of the proceeds.
        unchecked {
            q.eth = q.reserveDelta - q.protocolFee - q.creatorFee;
        }
    }

    /// @dev Protocol fee, creator fee and referrer share (0 without a referrer) of a trade now.
    /// Brings the rates kept in `m` and `r` up to date first, which the trade then stores.
    function _feeRates(
        Market memory m,
        Reserve memory r,
        address referrer
    ) private view returns (uint256 protocolBps, uint256 creatorBps, uint256 shareBps) {
        _currentFeeRates(m, r);
        protocolBps = m.protocolFeeBps;
        if (referrer != address(0)) shareBps = r.referrerShareBps;
        creatorBps = _creatorFeeBps(m);
    }

    /// @dev Asks the factory for its rates once the copy in `m` and `r` has reached
    /// `feeRatesUntil`. The factory caps the rates below 2^9 and 2^13; `until` is a timestamp.
    function _currentFeeRates(Market memory m, Reserve memory r) private view {
        if (block.timestamp < r.feeRatesUntil) return;
        (uint256 protocolBps, uint256 shareBps, uint256 until) = ICreatorCoinFactory(_FACTORY)
            .feeRates();
        (m.protocolFeeBps, r.referrerShareBps, r.feeRatesUntil) = (
            uint16(protocolBps),
            uint16(shareBps),
            until.toUint32()
        );
    }

    /// @dev Unpacks `_market` (layout in `Market`'s documentation). Plain equivalent, had the
    /// compiler packed the struct: `m = _market;`.
    function _loadMarket() private view returns (Market memory m) {
        uint256 word = _market;
        m.supply = uint80(word);
        m.protocolFeesOwed = uint104(word >> 80);
        m.creatorFeeBps = uint16((word >> 184) & 0x3ff);
        m.pendingCreatorFeeBps = uint16((word >> 194) & 0x3ff);
        m.pendingCreatorFeeAt = uint32(word >> 204);
        m.protocolFeeBps = uint16((word >> 236) & 0x1ff);
        m.launched = (word >> 245) & 1 == 1;
    }

    /// @dev Unpacks `_reserve`. Plain equivalent: `r = _reserve;`.
    function _loadReserve() private view returns (Reserve memory r) {
        uint256 word = _reserve;
        r.reserve = uint112(word & _MAX_RESERVE);
        r.creatorFeesOwed = uint104(word >> 107);
        r.referrerShareBps = uint16((word >> 211) & 0x1fff);
        r.feeRatesUntil = uint32(word >> 224);
    }

    /// @dev Packs `m` into `_market` with one SSTORE; every field is within its width (see
    /// `Market`). Plain equivalent: `_market = m;`.
    function _storeMarket(Market memory m) private {
        _market =
            uint256(m.supply) |
            (uint256(m.protocolFeesOwed) << 80) |
            (uint256(m.creatorFeeBps) << 184) |
            (uint256(m.pendingCreatorFeeBps) << 194) |
            (uint256(m.pendingCreatorFeeAt) << 204) |
            (uint256(m.protocolFeeBps) << 236) |
            (m.launched ? uint256(1) << 245 : 0);
    }

    /// @dev Packs `r` into `_reserve` with one SSTORE. Plain equivalent: `_reserve = r;`.
    function _storeReserve(Reserve memory r) private {
        _reserve =
            uint256(r.reserve) |
            (uint256(r.creatorFeesOwed) << 107) |
            (uint256(r.referrerShareBps) << 211) |
            (uint256(r.feeRatesUntil) << 224);
    }

    function _creatorFeeBps(Market memory m) private view returns (uint256) {
        if (m.pendingCreatorFeeAt != 0 && block.timestamp >= m.pendingCreatorFeeAt) {
            return m.pendingCreatorFeeBps;
        }
        return m.creatorFeeBps;
    }

    function _launchedMarket() private view returns (Market memory m) {
        m = _loadMarket();
        if (!m.launched) revert CreatorCoinNotLaunched();
    }

    function _checkDeadline(uint256 deadline) private view {
        if (block.timestamp > deadline)
            revert CreatorCoinDeadlineExpired(deadline, block.timestamp);
    }

    function _checkBuyRecipient(address recipient) private view {
        if (recipient == address(0)) revert CreatorCoinZeroRecipient();
        if (recipient == address(this)) revert CreatorCoinSelfRecipient();
    }

    /// @dev The profile id and the handle (left-aligned, zero-padded) from the clone's one word
    /// of immutable arguments, which follow the 0x2d bytes of the clone's code (OpenZeppelin
    /// `Clones`). Plain equivalent of the copy:
    /// `bytes32 word = abi.decode(Clones.fetchCloneArgs(address(this)), (bytes32));`
    function _cloneArgs() private view returns (uint256 id, bytes32 packedHandle) {
        bytes32 word;
        assembly ("memory-safe") {
            extcodecopy(address(), 0x00, 0x2d, 0x20)
            word := mload(0x00)
        }
        id = uint256(word) & _PROFILE_ID_MASK;
        packedHandle = word & ~bytes32(_PROFILE_ID_MASK);
    }

    function _transfer(address from, address to, uint256 value) private {
        if (to == address(0) || to == address(this)) revert ERC20InvalidReceiver(to);
        uint256 balance = _balances[from];
        if (balance < value) revert ERC20InsufficientBalance(from, balance, value);
        // Cannot overflow or underflow: balance >= value, and balances sum to the supply.
        unchecked {
            _balances[from] = balance - value;
            _balances[to] += value;
        }
        emit Transfer(from, to, value);
    }

    function _approve(address owner, address spender, uint256 value) private {
        if (spender == address(0)) revert ERC20InvalidSpender(spender);
        _allowances[owner][spender] = value;
        emit Approval(owner, spender, value);
    }

    /// @dev Sends ETH; a callee's revert reason is passed on (so a reentrancy attempt surfaces
    /// as `CreatorCoinReentrantCall`), and a bare failure becomes `CreatorCoinTransferFailed`.
    /// Plain equivalent: (bool ok, bytes memory data) = to.call{value: amount}(""); if (!ok)
    /// revert with `data` when it is non-empty.
    function _sendETH(address to, uint256 amount) private {
        bool ok;
        assembly ("memory-safe") {
            ok := call(gas(), to, amount, 0, 0, 0, 0)
            if and(iszero(ok), gt(returndatasize(), 0)) {
                let ptr := mload(0x40)
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
        if (!ok) revert CreatorCoinTransferFailed(to, amount);
    }
}
