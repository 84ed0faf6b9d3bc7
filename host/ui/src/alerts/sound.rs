//! The alert sound, played through rodio on the default audio output.
//!
//! A thread of its own opens the output for each sound and closes it when
//! the sound has played, so the app holds no audio device between alerts.
//! Requests that arrive while a sound plays are merged into one more play.
//! Without an audio device the first failure is logged as a warning, later
//! ones at debug level, and the sound is skipped.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use kefu_core::alerts::Sound;
use rodio::Source;
use rodio::source::SineWave;

/// Maximum time one sound plays. A longer file is cut off.
pub const MAX_SOUND: Duration = Duration::from_secs(5);

/// Sends sounds to the sound thread.
pub struct Player {
    requests: Option<mpsc::Sender<Sound>>,
}

impl Player {
    /// Starts the sound thread. When the thread cannot start, the app
    /// plays no sound and says so in the log.
    pub fn start() -> Self {
        let (sender, receiver) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("kefu-sound".to_string())
            .spawn(move || run(&receiver));
        match spawned {
            Ok(_) => Self {
                requests: Some(sender),
            },
            Err(error) => {
                tracing::error!(%error, "could not start the sound thread; alerts play no sound");
                Self { requests: None }
            }
        }
    }

    /// Plays `sound` in the background.
    pub fn play(&self, sound: &Sound) {
        if let Some(requests) = &self.requests {
            let _ = requests.send(sound.clone());
        }
    }
}

/// The sound thread: plays each request until the app drops its sender.
fn run(requests: &mpsc::Receiver<Sound>) {
    let mut device_failure_logged = false;
    let mut unreadable: Vec<PathBuf> = Vec::new();
    while let Ok(mut sound) = requests.recv() {
        // Requests queued while the last sound played become one play.
        while let Ok(next) = requests.try_recv() {
            sound = next;
        }
        let mut sink = match rodio::DeviceSinkBuilder::open_default_sink() {
            Ok(sink) => sink,
            Err(error) => {
                if device_failure_logged {
                    tracing::debug!(%error, "alert sound not played");
                } else {
                    tracing::warn!(
                        %error,
                        "alert sound not played: no audio output could be opened; alerts still \
                         show. Later failures are logged at debug level"
                    );
                    device_failure_logged = true;
                }
                continue;
            }
        };
        sink.log_on_drop(false);
        if device_failure_logged {
            tracing::info!("the audio output works again");
            device_failure_logged = false;
        }
        let player = rodio::Player::connect_new(sink.mixer());
        match &sound {
            Sound::Builtin => player.append(chime()),
            Sound::File(path) => match decode(path) {
                Ok(source) => player.append(source.take_duration(MAX_SOUND)),
                Err(error) => {
                    if !unreadable.contains(path) {
                        tracing::warn!(
                            path = %path.display(),
                            "cannot play the sound file, playing the built-in sound: {error:#}"
                        );
                        unreadable.push(path.clone());
                    }
                    player.append(chime());
                }
            },
        }
        player.sleep_until_end();
        // The output plays what it has buffered before it closes.
        std::thread::sleep(Duration::from_millis(150));
        tracing::debug!("alert sound played");
    }
}

/// Opens the sound file at `path` and reads its header with rodio's
/// decoder, which the settings screen uses to check a file before saving
/// it.
pub(crate) fn decode(path: &Path) -> anyhow::Result<rodio::Decoder<BufReader<File>>> {
    let file = File::open(path)?;
    let decoder = rodio::Decoder::try_from(file)
        .map_err(|error| anyhow::anyhow!("not a WAV or Ogg Vorbis file ({error})"))?;
    Ok(decoder)
}

/// The built-in sound: two short rising tones, 880 Hz then 1320 Hz, at a
/// quarter of full scale, 0.36 s in all.
pub fn chime() -> impl Source + Send + 'static {
    let tone = |frequency: f32, length: u64| {
        SineWave::new(frequency)
            .take_duration(Duration::from_millis(length))
            .fade_in(Duration::from_millis(10))
            .amplify(0.25)
    };
    tone(880.0, 150).mix(tone(1320.0, 200).delay(Duration::from_millis(160)))
}
