"""Lab 3 task 2 - TCP capitalization server.

Long sentences arrive in several pieces, so collect all the pieces first
and send the whole capitalized sentence back in one go.
"""
import os
from socket import *

serverPort = int(os.environ.get("SERVER_PORT", "12000"))
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(("", serverPort))
serverSocket.listen(5)
print("The server is ready to receive", flush=True)

while True:
    connectionSocket, addr = serverSocket.accept()
    pieces = []
    piece = connectionSocket.recv(1024)
    while piece:  # an empty piece means the client has sent everything
        pieces.append(piece.upper())
    connectionSocket.sendall(b"".join(pieces))
    connectionSocket.close()
