//! What can be done to a company or an account, as the audit of `staff company` and
//! `staff user` records it (issue 19: a leaked password must be revocable, and who did it known).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountAction {
    CompanyAdded,
    AccountAdded,
    Disabled,
    Enabled,
    PasswordReset,
}

impl AccountAction {
    pub const ALL: [AccountAction; 5] = [
        AccountAction::CompanyAdded,
        AccountAction::AccountAdded,
        AccountAction::Disabled,
        AccountAction::Enabled,
        AccountAction::PasswordReset,
    ];

    /// As stored (the migration's CHECK lists the same words).
    pub fn as_str(self) -> &'static str {
        match self {
            AccountAction::CompanyAdded => "company_added",
            AccountAction::AccountAdded => "account_added",
            AccountAction::Disabled => "disabled",
            AccountAction::Enabled => "enabled",
            AccountAction::PasswordReset => "password_reset",
        }
    }

    pub fn parse(raw: &str) -> Option<AccountAction> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_as_itself_and_serializes_as_stored() {
        for action in AccountAction::ALL {
            assert_eq!(AccountAction::parse(action.as_str()), Some(action));
            assert_eq!(
                serde_json::to_value(action).unwrap(),
                serde_json::json!(action.as_str())
            );
        }
        assert_eq!(AccountAction::parse("deleted"), None);
    }
}
