//! What to resend after a data space change (registry-api.md, "After a data space change"):
//! a plain resync skips items already sent to the old data space, so every feed needs
//! `--cleanup-feed`, one feed per run.

use crate::config::{KeySetName, Service};

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

/// Payment Services' own feeds, one set per environment of its keys. Adobe's Payment Services
/// documentation ("Synchronize data", the `saas:resync` feed list) names them with the
/// environment as suffix: `paymentServicesOrdersProduction`/`…Sandbox`,
/// `paymentServicesOrderStatusesProduction`/`…Sandbox`, `paymentServicesStoresProduction`/
/// `…Sandbox`.
pub fn payment_services_feeds(keys: KeySetName) -> [&'static str; 3] {
    match keys {
        KeySetName::Production => [
            "paymentServicesOrdersProduction",
            "paymentServicesOrderStatusesProduction",
            "paymentServicesStoresProduction",
        ],
        KeySetName::Sandbox => [
            "paymentServicesOrdersSandbox",
            "paymentServicesOrderStatusesSandbox",
            "paymentServicesStoresSandbox",
        ],
    }
}

/// The feeds to resend for the services in use by an installation whose key set is `keys`,
/// each once, in a fixed order.
pub fn resync_feeds(services: &[Service], keys: KeySetName) -> Vec<&'static str> {
    let mut feeds: Vec<&'static str> = CATALOG_FEEDS.to_vec();
    if services.contains(&Service::DataConnection) {
        feeds.extend(ORDER_FEEDS);
    }
    if services.contains(&Service::PaymentServices) {
        feeds.extend(payment_services_feeds(keys));
    }
    feeds
}

/// `bin/magento saas:resync --feed NAME --cleanup-feed` for each feed of the services in use.
pub fn resync_commands(services: &[Service], keys: KeySetName) -> Vec<String> {
    resync_feeds(services, keys)
        .into_iter()
        .map(|feed| format!("bin/magento saas:resync --feed {feed} --cleanup-feed"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_feeds_always_and_service_feeds_when_used() {
        let production = KeySetName::Production;
        assert_eq!(resync_feeds(&[], production), CATALOG_FEEDS);
        assert_eq!(
            resync_feeds(&[Service::LiveSearch], production),
            CATALOG_FEEDS
        );
        let all = resync_feeds(
            &[Service::PaymentServices, Service::DataConnection],
            production,
        );
        assert_eq!(all.len(), 14);
        assert_eq!(all[10], "orders");
        assert_eq!(
            all[11..],
            [
                "paymentServicesOrdersProduction",
                "paymentServicesOrderStatusesProduction",
                "paymentServicesStoresProduction"
            ]
        );
        let sandbox = resync_feeds(&[Service::PaymentServices], KeySetName::Sandbox);
        assert_eq!(sandbox[10], "paymentServicesOrdersSandbox");
        assert!(sandbox.iter().all(|f| !f.ends_with("Production")));
        assert_eq!(
            resync_commands(&[], production)[0],
            "bin/magento saas:resync --feed products --cleanup-feed"
        );
    }
}
