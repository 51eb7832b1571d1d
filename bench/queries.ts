/** The coin page the API benchmark measures: a coin, its last 50 trades and top 20 holders. */
export const COIN_PAGE = /* GraphQL */ `
  query CoinPage($coin: Address!) {
    coin(address: $coin) {
      address
      name
      symbol
      price
      marketCap
      supply
      reserve
      volume
      volume24h
      holders
      tradeCount
      profile {
        id
        handle
        metadataUri
      }
      trades(first: 50) {
        nodes {
          txHash
          timestamp
          trader
          isBuy
          coinAmount
          ethAmount
          priceAfter
        }
        pageInfo {
          endCursor
          hasNextPage
        }
      }
      holdings(first: 20) {
        nodes {
          holder
          balance
          value
        }
        pageInfo {
          endCursor
          hasNextPage
        }
      }
    }
  }
`;
