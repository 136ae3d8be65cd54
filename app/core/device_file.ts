/*
| Which files the hardware bridge may write a job to: a printer's or a serial line's device file,
| never any other file of the till's computer (a job's bytes are appended to it). The back office
| takes only these (app/validators/hardware.ts), and the bridge checks again (app/hardware/
| transports.ts): a server someone else controls, or a device saved before this rule, cannot make
| it write elsewhere. USB printers (usblp), serial and USB-serial lines and their stable names on
| Linux, a name of the store's own under /dev/pos/ (a udev rule's symlink: usblp's lpN numbers
| change with the order printers are found, and only root writes to /dev), macOS's serial lines,
| COM and LPT ports on Windows.
*/
export const DEVICE_FILE = /^(\/dev\/(usb\/lp\d+|lp\d+|tty(USB|ACM|S)\d+|rfcomm\d+|serial\/by-(id|path)\/[A-Za-z0-9._:+-]+|pos\/[A-Za-z0-9_-][A-Za-z0-9._-]*|(cu|tty)\.[A-Za-z0-9._-]+)|COM[1-9]\d{0,2}|LPT[1-9])$/

export function isDeviceFile(path: string) {
  return DEVICE_FILE.test(path)
}
