package dev.bulwark.matchers.attachments;

/** An archive whose structure does not follow its format: extractors disagree on it or refuse it. */
final class DamagedArchiveException extends Exception {
    DamagedArchiveException(String message) {
        super(message);
    }
}
