//! Recommendations (in progress): interactions and the leave-last-out evaluation protocol,
//! with the popularity baseline. The other methods, reasons, panel and CLI come next.

pub mod als;
pub mod evaluate;
pub mod interactions;
pub mod item_cf;
pub mod methods;
