/*
| Routes of the hardware domain (till, back office and API). Imported by start/routes.ts so that
| each domain's routes live in a file of their own.
*/
export {}
