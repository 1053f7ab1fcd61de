//! Automatic away: how long the user has not touched the computer (an injectable source: the
//! shell reads the OS, tests set it by hand) turned into Away / Extended away with XEP-0319
//! idle time. Do not disturb and Invisible are never overridden (the user chose them).

use std::sync::Arc;
use std::time::Duration;

use hallway_model::{AutoAway, AutoAwaySettings, MyShow};

/// Where inactivity comes from.
pub trait IdleSource: Send + Sync {
    /// Time since the last keyboard or mouse input; `None` when the platform cannot tell.
    fn idle_time(&self) -> Option<Duration>;
    /// Whether the screen is locked.
    fn screen_locked(&self) -> bool {
        false
    }
}

/// A source that never knows (automatic away stays off).
pub struct NoIdleSource;

impl IdleSource for NoIdleSource {
    fn idle_time(&self) -> Option<Duration> {
        None
    }
}

/// A source set by hand (tests, and platforms that push idle changes).
#[derive(Default)]
pub struct ManualIdleSource {
    idle_ms: std::sync::atomic::AtomicU64,
    locked: std::sync::atomic::AtomicBool,
}

impl ManualIdleSource {
    /// A shareable source, active now.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
    /// Sets the idle time.
    pub fn set_idle(&self, d: Duration) {
        self.idle_ms.store(
            u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
            std::sync::atomic::Ordering::SeqCst,
        );
    }
    /// Sets the lock state.
    pub fn set_locked(&self, locked: bool) {
        self.locked
            .store(locked, std::sync::atomic::Ordering::SeqCst);
    }
}

impl IdleSource for ManualIdleSource {
    fn idle_time(&self) -> Option<Duration> {
        Some(Duration::from_millis(
            self.idle_ms.load(std::sync::atomic::Ordering::SeqCst),
        ))
    }
    fn screen_locked(&self) -> bool {
        self.locked.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// What automatic away should apply now.
pub fn decide(
    settings: &AutoAwaySettings,
    chosen: MyShow,
    idle: Option<Duration>,
    locked: bool,
) -> AutoAway {
    if !settings.enabled || matches!(chosen, MyShow::Dnd | MyShow::Invisible) {
        return AutoAway::Off;
    }
    let idle = idle.unwrap_or_default();
    let minutes = |m: u32| Duration::from_secs(u64::from(m) * 60);
    if idle >= minutes(settings.xa_minutes.max(settings.away_minutes)) {
        AutoAway::Xa
    } else if locked || idle >= minutes(settings.away_minutes) {
        AutoAway::Away
    } else {
        AutoAway::Off
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: AutoAwaySettings = AutoAwaySettings {
        enabled: true,
        away_minutes: 5,
        xa_minutes: 30,
    };

    fn min(m: u64) -> Option<Duration> {
        Some(Duration::from_secs(m * 60))
    }

    #[test]
    fn away_then_extended_away_then_back() {
        assert_eq!(decide(&S, MyShow::Available, min(1), false), AutoAway::Off);
        assert_eq!(decide(&S, MyShow::Available, min(5), false), AutoAway::Away);
        assert_eq!(decide(&S, MyShow::Away, min(29), false), AutoAway::Away);
        assert_eq!(decide(&S, MyShow::Available, min(30), false), AutoAway::Xa);
        assert_eq!(decide(&S, MyShow::Available, min(0), false), AutoAway::Off);
    }

    #[test]
    fn screen_lock_is_away() {
        assert_eq!(decide(&S, MyShow::Available, min(0), true), AutoAway::Away);
        assert_eq!(decide(&S, MyShow::Available, None, true), AutoAway::Away);
    }

    #[test]
    fn never_overrides_dnd_invisible_or_disabled() {
        assert_eq!(decide(&S, MyShow::Dnd, min(60), true), AutoAway::Off);
        assert_eq!(decide(&S, MyShow::Invisible, min(60), true), AutoAway::Off);
        let off = AutoAwaySettings {
            enabled: false,
            ..S
        };
        assert_eq!(
            decide(&off, MyShow::Available, min(60), true),
            AutoAway::Off
        );
        assert_eq!(decide(&S, MyShow::Available, None, false), AutoAway::Off);
    }

    #[test]
    fn xa_before_away_setting_is_sane() {
        let odd = AutoAwaySettings {
            enabled: true,
            away_minutes: 10,
            xa_minutes: 2,
        };
        assert_eq!(
            decide(&odd, MyShow::Available, min(3), false),
            AutoAway::Off
        );
        assert_eq!(
            decide(&odd, MyShow::Available, min(10), false),
            AutoAway::Xa
        );
    }
}
