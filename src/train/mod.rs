//! Training (thesis 7.1, 7.3): the four methodologies — fully supervised, supervised linear
//! evaluation, SSL pre-training + fine-tuning, SSL linear evaluation — with the hyper-parameters
//! of tables 7.3.1 / 7.3.2 as typed defaults, seeded end to end.

mod checkpoint;
mod config;
mod error;
mod evaluate;
pub mod fidelity;
mod linear_probe;
pub mod live;
mod lr_schedule;
mod optim;
mod progress;
mod resume;
mod run;
mod schedule;
mod ssl;
mod supervised;

pub use checkpoint::{
    load_checkpoint, save_checkpoint, save_report, PretrainRecord, CONFIG_FILE, METRICS_FILE,
    PRETRAIN_FILE, WEIGHTS_FILE,
};
pub use config::{build_model, DataConfig, Methodology, RunConfig, SslConfig, SupervisedConfig};
pub use error::{Result, TrainError};
pub use evaluate::{predict, run_metrics, split_metrics, EVAL_BATCH};
pub use fidelity::Fidelity;
pub use linear_probe::{
    encode_split, least_squares, linear_predictions, probe, probe_encoder, train_head, Features,
    ProbeScore, PROBE_RIDGE,
};
pub use lr_schedule::{LrSchedule, ScheduleKind};
pub use optim::{adam, Adam};
pub use progress::{EpochBar, Progress};
pub use run::{finetune_phase, model_to_finetune, pretrain_phase, run, RunReport, Timing};
pub use schedule::{EpochDecision, ReduceLrOnPlateau, Snapshot, ValidTracker};
pub use ssl::{
    objective_loss, objective_vars, pretrain, ssl_step, ObjectiveVars, Pretrained, ProbeReport,
    SslEpochLog, SslStepStats, DECODER_PREFIX, MODALITY_PROJECTION_PREFIX, SWAV_PROTOTYPES,
};
pub use supervised::{supervised_step, train_supervised, EpochLog};
