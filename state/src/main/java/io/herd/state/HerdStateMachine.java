package io.herd.state;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.herd.api.Json;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

import static java.util.Objects.requireNonNull;

/**
 * The Ratis state machine of a Herd server: decodes each committed log entry into a {@link Command}, applies it
 * to the {@link StateStore}, and answers the proposer with the {@link ApplyResult} as JSON. Snapshots are the
 * store's {@link StateData} as one JSON file in Ratis's {@link SimpleStateMachineStorage} layout
 * ({@code sm/snapshot.<term>_<index>} plus an MD5 file), which is also what the leader ships to a follower that
 * fell behind the purged log.
 *
 * <p>One instance serves one Raft server for its whole life (Ratis closes it with the server); a restarted
 * server gets a new state machine over a new or emptied store, which {@link #initialize} fills from the latest
 * snapshot before Ratis replays the log after it.
 */
public final class HerdStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(HerdStateMachine.class);
    private static final ObjectWriter COMMAND_WRITER = Json.mapper().writerFor(Command.class);
    private static final ObjectReader COMMAND_READER = Json.mapper().readerFor(Command.class);

    private final StateStore store;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final List<Runnable> leaderListeners = new CopyOnWriteArrayList<>();
    /**
     * Held while applying an entry (store and last applied index together) and while reading both for a
     * snapshot, so that a snapshot never contains an entry newer than the index it is named after, whichever
     * thread asks for it.
     */
    private final ReentrantLock applyLock = new ReentrantLock();

    public HerdStateMachine(StateStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    /** The store this state machine applies to. */
    public StateStore store() {
        return store;
    }

    /**
     * Runs {@code listener} whenever Ratis reports a new leader (or none) for the group. Listeners run on a
     * Ratis thread: they must return quickly and look up the leader themselves.
     */
    public void addLeaderListener(Runnable listener) {
        leaderListeners.add(requireNonNull(listener, "listener is null"));
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        getLifeCycle().startAndTransition(() -> {
            storage.init(raftStorage);
            loadSnapshot(storage.getLatestSnapshot());
        });
    }

    /**
     * Called before the leader installs a snapshot on this follower. Ratis checks that the state machine says
     * PAUSED before it calls {@link #reinitialize()}, hence the life-cycle bookkeeping.
     */
    @Override
    public void pause() {
        if (getLifeCycle().compareAndTransition(LifeCycle.State.RUNNING, LifeCycle.State.PAUSING)) {
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** Called after the leader installed a snapshot on this follower: load it from the storage directory. */
    @Override
    public void reinitialize() throws IOException {
        LifeCycle.State current = getLifeCycle().getCurrentState();
        if (current == LifeCycle.State.PAUSED || current == LifeCycle.State.NEW) {
            getLifeCycle().startAndTransition(() -> loadSnapshot(storage.loadLatestSnapshot()));
        } else {
            loadSnapshot(storage.loadLatestSnapshot());
        }
    }

    @Override
    public void close() {
        getLifeCycle().checkStateAndClose(() -> {});
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    /**
     * Runs on the leader before a client's request is appended to the log: a request that is not a command is
     * refused here, since once in the log every replica would have to apply it.
     */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        TransactionContext transaction = super.startTransaction(request);
        try {
            decodeCommand(request.getMessage().getContent());
        } catch (RuntimeException e) {
            transaction.setException(new IllegalArgumentException("not a Herd command: " + e.getMessage(), e));
        }
        return transaction;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext transaction) {
        LogEntryProto entry = transaction.getLogEntry();
        long index = entry.getIndex();
        ApplyResult result;
        applyLock.lock();
        try {
            result = applyEntry(index, entry.getStateMachineLogEntry().getLogData());
            updateLastAppliedTermIndex(entry.getTerm(), index);
        } finally {
            applyLock.unlock();
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(Json.writeBytes(result))));
    }

    /**
     * Never fails: a failed future would leave Ratis's apply loop unable to snapshot, and the same failure happens
     * on every replica anyway, so it is reported in the result and logged instead.
     */
    private ApplyResult applyEntry(long index, ByteString data) {
        Command command;
        try {
            command = decodeCommand(data);
        } catch (RuntimeException e) {
            // Only a proposer bypassing startTransaction (or a newer server's command) gets here.
            LOG.error("Cannot decode the command at index {}; skipping it", index, e);
            return ApplyResult.unchanged(index, "invalid command: " + e.getMessage());
        }
        try {
            return store.apply(index, command);
        } catch (RuntimeException e) {
            LOG.error("Applying {} at index {} failed", command.getClass().getSimpleName(), index, e);
            return new ApplyResult(index, true, 0, List.of(), "internal error: " + e);
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        StateData data;
        TermIndex last;
        applyLock.lock();
        try {
            data = store.toData();
            last = getLastAppliedTermIndex();
        } finally {
            applyLock.unlock();
        }
        if (last == null || last.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        byte[] bytes = Json.writeBytes(data);
        File snapshotFile = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path target = snapshotFile.toPath();
        // Written aside and moved into place, so that a crash never leaves a truncated file under a snapshot name.
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
            out.write(bytes);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        MD5Hash digest = MD5Hash.newInstance(md5(bytes));
        MD5FileUtil.saveMD5File(snapshotFile, digest);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target, digest), last));
        LOG.debug("Wrote snapshot {} ({} bytes)", snapshotFile, bytes.length);
        return last.getIndex();
    }

    private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            // The whole log will be replayed, so the store must start empty.
            store.restore(StateData.empty());
            return;
        }
        Path path = snapshot.getFile().getPath();
        MD5Hash digest = snapshot.getFile().getFileDigest();
        if (digest != null) {
            MD5FileUtil.verifySavedMD5(path.toFile(), digest);
        }
        StateData data;
        try {
            data = Json.read(Files.readAllBytes(path), StateData.class);
        } catch (UncheckedIOException e) {
            throw new IOException("cannot read snapshot " + path, e.getCause());
        }
        applyLock.lock();
        try {
            store.restore(data);
            // Set, not updated: a snapshot installed by the leader may carry a term the checked update rejects.
            setLastAppliedTermIndex(snapshot.getTermIndex());
        } finally {
            applyLock.unlock();
        }
        LOG.info("Loaded snapshot {} (state index {})", path, data.index());
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        for (Runnable listener : leaderListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("Leader listener {} failed", listener, e);
            }
        }
    }

    /** The log entry content for a command: the JSON of {@link Command}, with its {@code type}. */
    public static Message encode(Command command) {
        requireNonNull(command, "command is null");
        try {
            return Message.valueOf(ByteString.copyFrom(COMMAND_WRITER.writeValueAsBytes(command)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes the reply to a command sent with {@link #encode}. */
    public static ApplyResult decodeResult(Message reply) {
        return Json.read(reply.getContent().toByteArray(), ApplyResult.class);
    }

    static Command decodeCommand(ByteString data) {
        try {
            Command command = COMMAND_READER.readValue(data.toByteArray());
            return requireNonNull(command, "empty command");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }
}
