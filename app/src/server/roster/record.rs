//! A change set's undo record: what the file did to each member, kept on the change set
//! as one JSON array (`roster_changes.undo_record`, migration 36) — written once by the
//! apply, read once by the undo, dropped by the sweep once the file cannot be undone.

use crate::import::roster::FieldChange;
use serde::{Deserialize, Serialize};

/// What a file did to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Did {
    Invite,
    Change,
    Deactivate,
}

/// One member a file touched. Written from borrowed changes, read into owned ones.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct UndoItem<C> {
    pub member: i64,
    pub kind: Did,
    /// The fields a change changed, as the file's cells (empty for the other kinds).
    #[serde(default)]
    pub changes: C,
}

/// As the apply writes them: the changes borrowed from its plan, not copied.
pub(super) type Written<'a> = UndoItem<&'a [FieldChange]>;

/// As the undo reads them.
pub(super) type Read = UndoItem<Vec<FieldChange>>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The undo reads what the apply wrote, and what migration 36 moved over from the
    /// table of one row per member.
    #[test]
    fn the_record_reads_back_as_written_and_as_migrated() {
        let change = [FieldChange {
            field: "job_title".into(),
            from: "AE".into(),
            to: "SM".into(),
        }];
        let written = [
            Written {
                member: 7,
                kind: Did::Change,
                changes: &change,
            },
            Written {
                member: 8,
                kind: Did::Invite,
                changes: &[],
            },
        ];
        let text = serde_json::to_string(&written).unwrap();
        let read: Vec<Read> = serde_json::from_str(&text).unwrap();
        assert_eq!((read[0].member, read[0].kind), (7, Did::Change));
        assert_eq!(read[0].changes, change);
        assert_eq!((read[1].kind, read[1].changes.len()), (Did::Invite, 0));
        // json_build_object('member', …, 'kind', …, 'changes', …) of the old rows.
        let migrated = r#"[{"member" : 9, "kind" : "deactivate", "changes" : []}]"#;
        let read: Vec<Read> = serde_json::from_str(migrated).unwrap();
        assert_eq!((read[0].member, read[0].kind), (9, Did::Deactivate));
    }
}
