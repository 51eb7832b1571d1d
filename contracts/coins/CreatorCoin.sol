// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
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
/// handle as immutable arguments (`abi.encode(profileId, bytes32 handle)`); everything else is
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

    /// @dev Everything a trade reads and writes, in two slots. Both stay non-zero once trading
    /// has started (supply >= FLOOR_SUPPLY, reserve > 0), so no trade pays for a fresh slot.
    /// Widths: supply < SUPPLY_CAP = 1e24 < 2^80; timestamps < 2^32 (until 2106); protocol
    /// fees < 2^104 wei (twenty times the largest fee one trade can owe) and reserve and creator
    /// fees < 2^128 wei are enforced by SafeCast, far above all ETH in existence.
    struct Market {
        uint80 supply;
        uint104 protocolFeesOwed;
        uint16 creatorFeeBps;
        uint16 pendingCreatorFeeBps;
        uint32 pendingCreatorFeeAt;
        bool launched;
    }

    struct Reserve {
        uint128 reserve;
        uint128 creatorFeesOwed;
    }

    /// @dev The amounts of one trade, as quoted and as executed.
    struct Quote {
        uint256 coins;
        uint256 minted;
        uint256 eth;
        uint256 protocolFee;
        uint256 creatorFee;
        uint256 reserveDelta;
    }

    address private immutable _FACTORY;
    IProfileRegistry private immutable _REGISTRY;
    IRevenueSink private immutable _REVENUE_SINK;

    Market private _market;
    Reserve private _reserve;
    mapping(address account => uint256) private _balances;
    mapping(address account => mapping(address spender => uint256)) private _allowances;
    mapping(address account => uint256) private _nonces;

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
        Market memory m = _market;
        // Cast is safe: checked against MAX_CREATOR_FEE_BPS above.
        m.creatorFeeBps = uint16(creatorFeeBps_);
        m.launched = true;
        if (msg.value == 0) {
            _market = m;
            return 0;
        }
        coinsOut = _buyExactIn(m, launcher, launcher, minCoinsOut);
    }

    // ---------------------------------------------------------------- trading

    /// @inheritdoc ICreatorCoin
    function buyExactIn(
        uint256 minCoinsOut,
        uint256 deadline,
        address recipient
    ) external payable nonReentrant returns (uint256 coinsOut) {
        _checkDeadline(deadline);
        coinsOut = _buyExactIn(_launchedMarket(), msg.sender, recipient, minCoinsOut);
    }

    /// @inheritdoc ICreatorCoin
    function buyExactOut(
        uint256 coinsOut,
        uint256 maxEthIn,
        uint256 deadline,
        address recipient
    ) external payable nonReentrant returns (uint256 ethIn) {
        _checkDeadline(deadline);
        if (recipient == address(0)) revert CreatorCoinZeroRecipient();
        Market memory m = _launchedMarket();
        Quote memory q = _quoteBuyExactOut(m, coinsOut);
        ethIn = q.eth;
        if (ethIn > maxEthIn) revert CreatorCoinExcessiveInput(ethIn, maxEthIn);
        if (msg.value < ethIn) revert CreatorCoinInsufficientPayment(msg.value, ethIn);
        _settleBuy(m, q, msg.sender, recipient);
        // Cannot underflow: msg.value >= ethIn was checked above.
        unchecked {
            if (msg.value > ethIn) _sendETH(msg.sender, msg.value - ethIn);
        }
    }

    /// @inheritdoc ICreatorCoin
    function sellExactIn(
        uint256 coinsIn,
        uint256 minEthOut,
        uint256 deadline,
        address recipient
    ) external nonReentrant returns (uint256 ethOut) {
        _checkDeadline(deadline);
        if (recipient == address(0)) revert CreatorCoinZeroRecipient();
        if (coinsIn == 0) revert CreatorCoinZeroAmount();
        uint256 balance = _balances[msg.sender];
        if (coinsIn > balance) revert ERC20InsufficientBalance(msg.sender, balance, coinsIn);
        if (coinsIn < MIN_TRADE && coinsIn != balance) {
            revert CreatorCoinTradeTooSmall(coinsIn, MIN_TRADE);
        }
        // A positive balance exists only on a launched coin, so `launched` needs no check.
        Market memory m = _market;
        Quote memory q = _quoteSellExactIn(m, coinsIn);
        ethOut = q.eth;
        if (ethOut < minEthOut) revert CreatorCoinSlippage(ethOut, minEthOut);

        Reserve memory r = _reserve;
        // Cannot underflow: coinsIn <= balance <= supply, and the reserve covers the curve
        // proceeds (reserve >= reserveRoundingUp(supply) >= the exact integral >= proceeds).
        unchecked {
            _balances[msg.sender] = balance - coinsIn;
            m.supply = uint80(m.supply - coinsIn);
            r.reserve = uint128(r.reserve - q.reserveDelta);
        }
        m.protocolFeesOwed = (m.protocolFeesOwed + q.protocolFee).toUint104();
        r.creatorFeesOwed = (r.creatorFeesOwed + q.creatorFee).toUint128();
        _market = m;
        _reserve = r;
        emit Transfer(msg.sender, address(0), coinsIn);
        emit Traded(
            msg.sender,
            recipient,
            address(this),
            false,
            coinsIn,
            ethOut,
            q.protocolFee,
            q.creatorFee,
            m.supply,
            r.reserve
        );
        if (ethOut != 0) _sendETH(recipient, ethOut);
    }

    // ---------------------------------------------------------------- fees

    /// @inheritdoc ICreatorCoin
    function withdrawCreatorFees(
        address to
    ) external nonReentrant onlyProfileOwner returns (uint256 amount) {
        if (to == address(0)) revert CreatorCoinZeroRecipient();
        amount = _reserve.creatorFeesOwed;
        if (amount == 0) revert CreatorCoinZeroAmount();
        _reserve.creatorFeesOwed = 0;
        emit CreatorFeesWithdrawn(msg.sender, to, amount);
        _sendETH(to, amount);
    }

    /// @inheritdoc ICreatorCoin
    function sweepProtocolFees() external nonReentrant returns (uint256 amount) {
        amount = _market.protocolFeesOwed;
        if (amount == 0) revert CreatorCoinZeroAmount();
        _market.protocolFeesOwed = 0;
        emit ProtocolFeesSwept(msg.sender, amount);
        _REVENUE_SINK.depositETH{value: amount}(profileId());
    }

    /// @inheritdoc ICreatorCoin
    function scheduleCreatorFee(uint256 newBps) external onlyProfileOwner {
        if (newBps > MAX_CREATOR_FEE_BPS) revert CreatorCoinFeeTooHigh(newBps, MAX_CREATOR_FEE_BPS);
        Market memory m = _market;
        // A matured change becomes the current rate before the next one is scheduled.
        m.creatorFeeBps = uint16(_creatorFeeBps(m));
        uint256 effectiveAt = block.timestamp + CREATOR_FEE_DELAY;
        m.pendingCreatorFeeBps = uint16(newBps); // Safe: newBps <= MAX_CREATOR_FEE_BPS.
        m.pendingCreatorFeeAt = effectiveAt.toUint32();
        _market = m;
        emit CreatorFeeChangeScheduled(m.creatorFeeBps, newBps, effectiveAt);
    }

    // ---------------------------------------------------------------- quotes and state

    /// @inheritdoc ICreatorCoin
    function quoteBuyExactIn(
        uint256 ethIn
    ) external view returns (uint256 coinsOut, uint256 protocolFee, uint256 creatorFee) {
        Quote memory q = _quoteBuyExactIn(_launchedMarket(), ethIn);
        return (q.coins, q.protocolFee, q.creatorFee);
    }

    /// @inheritdoc ICreatorCoin
    function quoteBuyExactOut(
        uint256 coinsOut
    ) external view returns (uint256 ethIn, uint256 protocolFee, uint256 creatorFee) {
        Quote memory q = _quoteBuyExactOut(_launchedMarket(), coinsOut);
        return (q.eth, q.protocolFee, q.creatorFee);
    }

    /// @inheritdoc ICreatorCoin
    function quoteSellExactIn(
        uint256 coinsIn
    ) external view returns (uint256 ethOut, uint256 protocolFee, uint256 creatorFee) {
        Market memory m = _market;
        uint256 circulating = m.supply == 0 ? 0 : m.supply - FLOOR_SUPPLY;
        if (coinsIn > circulating) revert CreatorCoinExceedsCirculating(coinsIn, circulating);
        Quote memory q = _quoteSellExactIn(m, coinsIn);
        return (q.eth, q.protocolFee, q.creatorFee);
    }

    /// @inheritdoc ICreatorCoin
    function reserve() external view returns (uint256) {
        return _reserve.reserve;
    }

    /// @inheritdoc ICreatorCoin
    function protocolFeesOwed() external view returns (uint256) {
        return _market.protocolFeesOwed;
    }

    /// @inheritdoc ICreatorCoin
    function creatorFeesOwed() external view returns (uint256) {
        return _reserve.creatorFeesOwed;
    }

    /// @inheritdoc ICreatorCoin
    function creatorFeeBps() external view returns (uint256) {
        return _creatorFeeBps(_market);
    }

    /// @inheritdoc ICreatorCoin
    function pendingCreatorFee() external view returns (uint256 bps, uint256 effectiveAt) {
        Market memory m = _market;
        if (m.pendingCreatorFeeAt == 0 || block.timestamp >= m.pendingCreatorFeeAt) return (0, 0);
        return (m.pendingCreatorFeeBps, m.pendingCreatorFeeAt);
    }

    /// @inheritdoc ICreatorCoin
    function protocolFeeBps() public view returns (uint256) {
        return ICreatorCoinFactory(_FACTORY).protocolFeeBps();
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
        // Handles are at most 32 non-zero bytes, left-aligned and zero-padded.
        while (length < 32 && packed[length] != 0) ++length;
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
        return _market.supply;
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
            string memory name_,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", name(), "1", block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    // ---------------------------------------------------------------- internals

    function _buyExactIn(
        Market memory m,
        address trader,
        address recipient,
        uint256 minCoinsOut
    ) private returns (uint256 coinsOut) {
        if (recipient == address(0)) revert CreatorCoinZeroRecipient();
        Quote memory q = _quoteBuyExactIn(m, msg.value);
        coinsOut = q.coins;
        if (coinsOut < minCoinsOut) revert CreatorCoinSlippage(coinsOut, minCoinsOut);
        _settleBuy(m, q, trader, recipient);
    }

    function _settleBuy(
        Market memory m,
        Quote memory q,
        address trader,
        address recipient
    ) private {
        bool first = m.supply == 0;
        Reserve memory r = _reserve;
        // Cannot overflow: the quote keeps supply + minted below SUPPLY_CAP < 2^80, and the sum of
        // balances equals the supply.
        unchecked {
            m.supply = uint80(m.supply + q.minted);
            _balances[recipient] += q.coins;
            if (first) _balances[address(this)] = FLOOR_SUPPLY;
        }
        m.protocolFeesOwed = (m.protocolFeesOwed + q.protocolFee).toUint104();
        r.reserve = (r.reserve + q.reserveDelta).toUint128();
        r.creatorFeesOwed = (r.creatorFeesOwed + q.creatorFee).toUint128();
        _market = m;
        _reserve = r;
        if (first) emit Transfer(address(0), address(this), FLOOR_SUPPLY);
        emit Transfer(address(0), recipient, q.coins);
        emit Traded(
            trader,
            recipient,
            address(this),
            true,
            q.coins,
            q.eth,
            q.protocolFee,
            q.creatorFee,
            m.supply,
            r.reserve
        );
    }

    /// @dev Fees are taken on top of the curve cost: the curve gets at most
    /// floor(ethIn * BPS / (BPS + fees)), and whatever the rounded curve cost and rounded-down
    /// fees leave of `ethIn` stays in the reserve.
    function _quoteBuyExactIn(
        Market memory m,
        uint256 ethIn
    ) private view returns (Quote memory q) {
        if (ethIn == 0) revert CreatorCoinZeroAmount();
        (uint256 protocolBps, uint256 creatorBps) = _feeRates(m);
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
        q.eth = ethIn;
        // Cannot underflow: cost <= budget, so cost + fees <= budget * (BPS + fees) / BPS <= ethIn.
        unchecked {
            q.reserveDelta = ethIn - q.protocolFee - q.creatorFee;
        }
    }

    function _quoteBuyExactOut(
        Market memory m,
        uint256 coinsOut
    ) private view returns (Quote memory q) {
        if (coinsOut == 0) revert CreatorCoinZeroAmount();
        if (coinsOut < MIN_TRADE) revert CreatorCoinTradeTooSmall(coinsOut, MIN_TRADE);
        (uint256 protocolBps, uint256 creatorBps) = _feeRates(m);
        uint256 supply = m.supply;
        q.coins = coinsOut;
        q.minted = supply == 0 ? coinsOut + FLOOR_SUPPLY : coinsOut;
        if (q.minted >= SUPPLY_CAP - supply) {
            revert CreatorCoinSupplyCapExceeded(supply + q.minted, SUPPLY_CAP);
        }
        q.reserveDelta = BondingCurve.costToMintRoundingUp(supply, q.minted);
        q.protocolFee = (q.reserveDelta * protocolBps) / _BPS;
        q.creatorFee = (q.reserveDelta * creatorBps) / _BPS;
        q.eth = q.reserveDelta + q.protocolFee + q.creatorFee;
    }

    function _quoteSellExactIn(
        Market memory m,
        uint256 coinsIn
    ) private view returns (Quote memory q) {
        if (coinsIn == 0) revert CreatorCoinZeroAmount();
        (uint256 protocolBps, uint256 creatorBps) = _feeRates(m);
        q.coins = coinsIn;
        q.reserveDelta = BondingCurve.proceedsToBurnRoundingDown(m.supply, coinsIn);
        q.protocolFee = (q.reserveDelta * protocolBps) / _BPS;
        q.creatorFee = (q.reserveDelta * creatorBps) / _BPS;
        // Cannot underflow: the fees are at most 15% of the proceeds.
        unchecked {
            q.eth = q.reserveDelta - q.protocolFee - q.creatorFee;
        }
    }

    function _feeRates(Market memory m) private view returns (uint256, uint256) {
        return (protocolFeeBps(), _creatorFeeBps(m));
    }

    function _creatorFeeBps(Market memory m) private view returns (uint256) {
        if (m.pendingCreatorFeeAt != 0 && block.timestamp >= m.pendingCreatorFeeAt) {
            return m.pendingCreatorFeeBps;
        }
        return m.creatorFeeBps;
    }

    function _launchedMarket() private view returns (Market memory m) {
        m = _market;
        if (!m.launched) revert CreatorCoinNotLaunched();
    }

    function _checkDeadline(uint256 deadline) private view {
        if (block.timestamp > deadline)
            revert CreatorCoinDeadlineExpired(deadline, block.timestamp);
    }

    function _cloneArgs() private view returns (uint256 id, bytes32 packedHandle) {
        return abi.decode(Clones.fetchCloneArgs(address(this)), (uint256, bytes32));
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
