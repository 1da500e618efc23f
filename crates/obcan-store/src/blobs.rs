//! Where document content lives: a directory on the local file system (one
//! node) or an S3-compatible object store (many nodes). Both hold only
//! sealed bytes (see `vault`), and both make an object visible only once
//! it is whole and durable: the file system through a temporary file that is
//! flushed and renamed, S3 through a multipart upload that is completed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt as _, TryStreamExt as _};
use object_store::{ObjectStore, WriteMultipart};
use tokio::io::AsyncWriteExt as _;

/// Why the blob store failed.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("stored object {0} is missing")]
    Missing(String),
    #[error("the object store cannot be reached: {0}")]
    Unavailable(String),
    #[error("object store error: {0}")]
    Failed(String),
}

impl From<std::io::Error> for BlobError {
    fn from(error: std::io::Error) -> Self {
        Self::Failed(error.to_string())
    }
}

impl From<object_store::Error> for BlobError {
    fn from(error: object_store::Error) -> Self {
        match error {
            object_store::Error::NotFound { path, .. } => Self::Missing(path),
            // The client's retries are spent: the service is down or unreachable.
            object_store::Error::Generic { .. } => Self::Unavailable(error.to_string()),
            other => Self::Failed(other.to_string()),
        }
    }
}

/// How to reach an S3-compatible object store.
#[derive(Debug, Clone)]
pub struct S3Settings {
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// The blob store; cheap to clone.
#[derive(Debug, Clone)]
pub enum BlobStore {
    Local(Arc<LocalBlobs>),
    S3(Arc<dyn ObjectStore>),
}

/// Bytes of a blob as they are read.
pub type BlobStream = BoxStream<'static, Result<Bytes, BlobError>>;

impl BlobStore {
    /// A directory of objects; created if missing. Uploads a crashed
    /// process left in `incoming/` are removed once a day old.
    pub fn local(root: impl Into<PathBuf>) -> Result<Self, BlobError> {
        let root = root.into();
        std::fs::create_dir_all(root.join("objects"))?;
        let incoming = root.join("incoming");
        std::fs::create_dir_all(&incoming)?;
        let day = std::time::Duration::from_secs(24 * 3600);
        for entry in std::fs::read_dir(&incoming)? {
            let entry = entry?;
            let abandoned = entry
                .metadata()
                .and_then(|metadata| metadata.modified())
                .is_ok_and(|modified| modified.elapsed().is_ok_and(|age| age > day));
            if abandoned {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(Self::Local(Arc::new(LocalBlobs { root })))
    }

    pub fn s3(settings: &S3Settings) -> Result<Self, BlobError> {
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&settings.endpoint)
            .with_allow_http(settings.endpoint.starts_with("http://"))
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            .with_virtual_hosted_style_request(false)
            .build()?;
        Ok(Self::S3(Arc::new(store)))
    }

    /// Starts writing object `name`; it is not visible until `commit`.
    pub async fn create(&self, name: &str) -> Result<BlobWriter, BlobError> {
        match self {
            Self::Local(local) => {
                let temporary = local
                    .root
                    .join("incoming")
                    .join(format!("{name}.{}", uuid::Uuid::new_v4()));
                let file = tokio::fs::File::create(&temporary).await?;
                Ok(BlobWriter::Local {
                    file,
                    temporary,
                    target: local.path_of(name),
                })
            }
            Self::S3(store) => {
                let upload = store.put_multipart(&object_path(name)).await?;
                Ok(BlobWriter::S3(WriteMultipart::new(upload)))
            }
        }
    }

    /// The object's bytes, as a stream; `Missing` if there is none.
    pub async fn read(&self, name: &str) -> Result<BlobStream, BlobError> {
        match self {
            Self::Local(local) => {
                let file = tokio::fs::File::open(local.path_of(name))
                    .await
                    .map_err(|error| match error.kind() {
                        std::io::ErrorKind::NotFound => BlobError::Missing(name.to_owned()),
                        _ => error.into(),
                    })?;
                let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024);
                Ok(stream.map_err(BlobError::from).boxed())
            }
            Self::S3(store) => {
                let found = store.get(&object_path(name)).await?;
                Ok(found.into_stream().map_err(BlobError::from).boxed())
            }
        }
    }

    /// Removes an object; removing one that is gone is not an error.
    pub async fn delete(&self, name: &str) -> Result<(), BlobError> {
        match self {
            Self::Local(local) => match tokio::fs::remove_file(local.path_of(name)).await {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error.into()),
                _ => Ok(()),
            },
            Self::S3(store) => match store.delete(&object_path(name)).await {
                Err(object_store::Error::NotFound { .. }) | Ok(()) => Ok(()),
                Err(error) => Err(error.into()),
            },
        }
    }
}

/// The file-system blob store: `objects/<first two characters>/<name>`,
/// uploads under way in `incoming/`.
#[derive(Debug)]
pub struct LocalBlobs {
    root: PathBuf,
}

impl LocalBlobs {
    fn path_of(&self, name: &str) -> PathBuf {
        let fan_out = name.get(..2).unwrap_or("__");
        self.root.join("objects").join(fan_out).join(name)
    }
}

fn object_path(name: &str) -> object_store::path::Path {
    object_store::path::Path::from(format!("objects/{name}"))
}

/// An object being written.
#[derive(Debug)]
pub enum BlobWriter {
    Local {
        file: tokio::fs::File,
        temporary: PathBuf,
        target: PathBuf,
    },
    S3(WriteMultipart),
}

/// Parts uploaded to S3 at once; bounds the memory one upload holds.
const S3_PARTS_IN_FLIGHT: usize = 2;

impl BlobWriter {
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), BlobError> {
        match self {
            Self::Local { file, .. } => Ok(file.write_all(bytes).await?),
            Self::S3(upload) => {
                upload.wait_for_capacity(S3_PARTS_IN_FLIGHT).await?;
                upload.write(bytes);
                Ok(())
            }
        }
    }

    /// Makes the object durable and visible under its name.
    pub async fn commit(self) -> Result<(), BlobError> {
        match self {
            Self::Local {
                mut file,
                temporary,
                target,
            } => {
                let result = async {
                    file.flush().await?;
                    file.sync_all().await?;
                    drop(file);
                    let directory = parent(&target)?;
                    tokio::fs::create_dir_all(directory).await?;
                    tokio::fs::rename(&temporary, &target).await?;
                    // The rename is durable only once its directory is.
                    tokio::fs::File::open(directory).await?.sync_all().await?;
                    Ok::<_, std::io::Error>(())
                }
                .await;
                if result.is_err() {
                    let _ = tokio::fs::remove_file(&temporary).await;
                }
                Ok(result?)
            }
            Self::S3(upload) => {
                upload.finish().await?;
                Ok(())
            }
        }
    }

    /// Drops what was written; nothing becomes visible.
    pub async fn abort(self) {
        let result = match self {
            Self::Local {
                file, temporary, ..
            } => {
                drop(file);
                tokio::fs::remove_file(&temporary)
                    .await
                    .map_err(BlobError::from)
            }
            Self::S3(upload) => upload.abort().await.map_err(BlobError::from),
        };
        if let Err(error) = result {
            tracing::warn!(%error, "cannot clean up an abandoned upload");
        }
    }
}

fn parent(path: &Path) -> Result<&Path, std::io::Error> {
    path.parent()
        .ok_or_else(|| std::io::Error::other("an object path without a directory"))
}
