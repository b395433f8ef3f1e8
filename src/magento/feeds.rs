//! What to resend after a data space change (registry-api.md, "After a data space change"):
//! a plain resync skips items already sent to the old data space, so every feed needs
//! `--cleanup-feed`, one feed per run.

use crate::config::Service;

/// The catalog export feeds. Live Search, Product Recommendations and Catalog Service read
/// them, and Data Connection sends catalog data too; since a feed that does not apply costs
/// one empty run while a missing one loses data, every installation resends them.
pub const CATALOG_FEEDS: [&str; 10] = [
    "products",
    "productAttributes",
    "categories",
    "prices",
    "productOverrides",
    "variants",
    "categoryPermissions",
    "inventoryStockStatus",
    "scopesWebsite",
    "scopesCustomerGroup",
];

/// The sales order feed: Data Connection's back-office order data.
pub const ORDER_FEEDS: [&str; 1] = ["orders"];

/// Payment Services' own feeds.
pub const PAYMENT_SERVICES_FEEDS: [&str; 4] = [
    "paymentServicesOrders",
    "paymentServicesOrderStatuses",
    "paymentServicesStoresProduction",
    "paymentServicesStoresSandbox",
];

/// The feeds to resend for the services in use, each once, in a fixed order.
pub fn resync_feeds(services: &[Service]) -> Vec<&'static str> {
    let mut feeds: Vec<&'static str> = CATALOG_FEEDS.to_vec();
    if services.contains(&Service::DataConnection) {
        feeds.extend(ORDER_FEEDS);
    }
    if services.contains(&Service::PaymentServices) {
        feeds.extend(PAYMENT_SERVICES_FEEDS);
    }
    feeds
}

/// `bin/magento saas:resync --feed NAME --cleanup-feed` for each feed of the services in use.
pub fn resync_commands(services: &[Service]) -> Vec<String> {
    resync_feeds(services)
        .into_iter()
        .map(|feed| format!("bin/magento saas:resync --feed {feed} --cleanup-feed"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_feeds_always_and_service_feeds_when_used() {
        assert_eq!(resync_feeds(&[]), CATALOG_FEEDS);
        assert_eq!(resync_feeds(&[Service::LiveSearch]), CATALOG_FEEDS);
        let all = resync_feeds(&[Service::PaymentServices, Service::DataConnection]);
        assert_eq!(all.len(), 15);
        assert_eq!(all[10], "orders");
        assert_eq!(all[14], "paymentServicesStoresSandbox");
        assert_eq!(
            resync_commands(&[])[0],
            "bin/magento saas:resync --feed products --cleanup-feed"
        );
    }
}
